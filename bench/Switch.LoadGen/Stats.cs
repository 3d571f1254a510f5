using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace Switch.LoadGen;

/// <summary>Latency histograms and answer counts, overall and per kind of request and edge.</summary>
public sealed class Stats
{
    private readonly ConcurrentDictionary<(Kind, Edge), LongConcurrentHistogram> _latency = new();

    public LongConcurrentHistogram All { get; } = NewHistogram();

    public ConcurrentDictionary<(Kind Kind, Edge Edge, string Code), long> Codes { get; } = new();

    public IEnumerable<((Kind Kind, Edge Edge) Of, LongConcurrentHistogram Latency)> ByKind =>
        _latency.OrderBy(l => l.Key).Select(l => (l.Key, l.Value));

    public long Count => All.TotalCount;

    public void Record(Operation operation, Edge edge, Outcome outcome, long ticks)
    {
        All.RecordValue(ticks);
        _latency.GetOrAdd((operation.Kind, edge), _ => NewHistogram()).RecordValue(ticks);
        Codes.AddOrUpdate((operation.Kind, edge, outcome.Code), 1, (_, n) => n + 1);
    }

    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static LongConcurrentHistogram NewHistogram() => new(1, TimeStamp.Seconds(60), 3);
}
