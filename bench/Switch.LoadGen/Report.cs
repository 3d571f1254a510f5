using System.Globalization;
using HdrHistogram;

namespace Switch.LoadGen;

/// <summary>What a run prints: throughput, latency percentiles per kind, answers per code, and the demo's summary.</summary>
public static class Report
{
    public static void Totals(Stats stats, TimeSpan measured, TimeSpan warmup)
    {
        var approved = stats.Codes.Where(c => c.Key.Kind == Kind.Payment && c.Key.Code == "00").Sum(c => c.Value);
        Console.WriteLine();
        Console.WriteLine($"measured   {stats.Count:N0} requests in {measured.TotalSeconds:F1} s = {stats.Count / measured.TotalSeconds:N0}/s; " +
            $"approved payments {approved / measured.TotalSeconds:N0}/s" + (warmup > TimeSpan.Zero ? $" (after {warmup.TotalSeconds:0} s of warm-up, not counted)" : ""));
        Console.WriteLine($"latency    {"all",-14} {Percentiles(stats.All)}");
        foreach (var ((kind, edge), latency) in stats.ByKind)
        {
            Console.WriteLine($"           {$"{edge} {kind}".ToLowerInvariant(),-14} {Percentiles(latency)}");
        }

        Console.WriteLine("answers");
        foreach (var ((kind, edge, code), count) in stats.Codes.OrderBy(c => c.Key))
        {
            Console.WriteLine($"  {$"{edge} {kind}".ToLowerInvariant(),-16} {code,-4} {count,10:N0}  {Meaning(code)}");
        }
    }

    /// <summary>The demo's plain summary: what was paid per biller, what was reversed, and what was declined and why.</summary>
    public static void Demo(Stats stats, Ledger ledger)
    {
        Console.WriteLine();
        Console.WriteLine("paid");
        foreach (var biller in ledger.Approvals.Values.Where(a => !a.Reversed).GroupBy(a => a.Biller).OrderBy(g => g.Key))
        {
            Console.WriteLine($"  {biller.Key,-8} {biller.Count(),7:N0} payments  {Sar(biller.Sum(a => a.Amount)),16} SAR");
        }

        var reversed = ledger.Approvals.Values.Where(a => a.Reversed).ToList();
        Console.WriteLine($"reversed   {reversed.Count:N0} payments, {Sar(reversed.Sum(a => a.Amount))} SAR given back to their bills and banks");
        Console.WriteLine("declined");
        foreach (var code in stats.Codes.Where(c => c.Key.Code != "00").GroupBy(c => c.Key.Code).OrderBy(g => g.Key))
        {
            Console.WriteLine($"  {code.Key,-4} {code.Sum(c => c.Value),7:N0}  {Meaning(code.Key)}");
        }
    }

    /// <summary>Per bank, the longest time without an approved payment, and when it was (UTC).</summary>
    public static void Interruptions(Interruptions interruptions)
    {
        Console.WriteLine("interrupted (longest time between two approvals of a bank)");
        foreach (var (bank, gap) in interruptions.Longest.OrderBy(g => g.Key))
        {
            Console.WriteLine($"  {bank}  {gap.Length.TotalSeconds,6:F1} s  from {gap.From:HH:mm:ss.f} to {gap.To:HH:mm:ss.f} UTC");
        }
    }

    private static string Percentiles(LongConcurrentHistogram latency) => latency.TotalCount == 0 ? "-" : string.Join("  ",
        new[] { 50.0, 95, 99, 99.9 }.Select(p => $"p{p.ToString(CultureInfo.InvariantCulture)} {Stats.Milliseconds(latency.GetValueAtPercentile(p)):F2} ms")
            .Append($"max {Stats.Milliseconds(latency.GetMaxValue()):F2} ms"));

    private static string Meaning(string code) => code == Outcome.NoAnswer ? "no answer within 10 s" : ResponseCodes.Describe(code);

    private static string Sar(long minor) => (minor / 100m).ToString("N2", CultureInfo.InvariantCulture);
}
