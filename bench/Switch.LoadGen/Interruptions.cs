using System.Collections.Concurrent;

namespace Switch.LoadGen;

/// <summary>
/// Per bank, the longest time without an approved payment (a node lost, a shard moving), and optionally every approval
/// with when it was sent and answered (UTC, milliseconds), one "bank sent answered" line each, for bench/failover.sh.
/// </summary>
public sealed class Interruptions(string? logFile) : IDisposable
{
    private readonly ConcurrentDictionary<string, Gap> _gaps = new();
    private readonly StreamWriter? _log = logFile is null ? null : new StreamWriter(logFile) { AutoFlush = false };
    private readonly object _logLock = new();

    public IReadOnlyDictionary<string, Gap> Longest => _gaps;

    public void Approved(string bank, DateTime sent, DateTime answered)
    {
        _gaps.AddOrUpdate(bank, _ => new Gap(answered, answered, answered),
            (_, gap) => answered <= gap.Last ? gap
                : answered - gap.Last > gap.To - gap.From ? new Gap(gap.Last, answered, answered) : gap with { Last = answered });
        if (_log is not null)
        {
            lock (_logLock)
            {
                _log.WriteLine($"{bank} {new DateTimeOffset(sent).ToUnixTimeMilliseconds()} {new DateTimeOffset(answered).ToUnixTimeMilliseconds()}");
            }
        }
    }

    public void Dispose()
    {
        lock (_logLock)
        {
            _log?.Dispose();
        }
    }

    /// <param name="From">The approval before the longest gap.</param>
    /// <param name="To">The approval that ended it.</param>
    /// <param name="Last">The latest approval so far.</param>
    public sealed record Gap(DateTime From, DateTime To, DateTime Last)
    {
        public TimeSpan Length => To - From;
    }
}
