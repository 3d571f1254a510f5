using System.Diagnostics;

namespace Switch.LoadGen;

/// <summary>How long a run lasts and how hard it pushes.</summary>
/// <param name="Rate">Requests per second in all, started on schedule whatever the answers (0: flat out, each slot waiting for its answer).</param>
/// <param name="Warmup">Traffic before measuring starts: sent and checked, not counted.</param>
/// <param name="Duration">Measured time, unless <paramref name="Count"/> measured requests come first.</param>
public sealed record RunLimits(double Rate, TimeSpan Warmup, TimeSpan Duration, long Count);

/// <summary>
/// Drives the switch: flat out, every driver slot sends its next request when the last is answered; at a fixed
/// rate, requests start on a schedule and latency is measured from when each was due, so queueing in the switch
/// shows instead of slowing the load down (no coordinated omission).
/// </summary>
public sealed class Runner(TrafficMix mix, IReadOnlyList<IDriver> drivers, Stats stats, RunLimits limits, Interruptions interruptions)
{
    private readonly Stopwatch _clock = new();

    public TimeSpan Measured => _clock.Elapsed - limits.Warmup;

    public bool Measuring => _clock.Elapsed >= limits.Warmup;

    public bool Done => _clock.Elapsed >= limits.Warmup + limits.Duration || stats.Count >= limits.Count;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        if (limits.Rate > 0)
        {
            await OnScheduleAsync(cancellationToken);
        }
        else
        {
            await Task.WhenAll(drivers.SelectMany(d => Enumerable.Range(0, d.Slots).Select(_ => Task.Run(() => SlotAsync(d, cancellationToken)))));
        }
    }

    private async Task SlotAsync(IDriver driver, CancellationToken cancellationToken)
    {
        var random = new Random();
        while (!Done && !cancellationToken.IsCancellationRequested)
        {
            await SendAsync(mix.Next(random), driver, Stopwatch.GetTimestamp(), cancellationToken);
        }
    }

    private async Task OnScheduleAsync(CancellationToken cancellationToken)
    {
        var random = new Random();
        var slots = drivers.Sum(d => d.Slots);
        var interval = Stopwatch.Frequency / limits.Rate;
        var start = Stopwatch.GetTimestamp();
        long inFlight = 0;
        for (long i = 0; !Done && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = start + (long)(i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            // A driver is picked in proportion to its slots, so each edge gets its share.
            var pick = random.Next(slots);
            var driver = drivers.First(d => (pick -= d.Slots) < 0);
            Interlocked.Increment(ref inFlight);
            _ = SendAsync(mix.Next(random), driver, due, cancellationToken).ContinueWith(_ => Interlocked.Decrement(ref inFlight), TaskScheduler.Default);
        }

        while (Interlocked.Read(ref inFlight) > 0)
        {
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private async Task SendAsync(Operation operation, IDriver driver, long due, CancellationToken cancellationToken)
    {
        // A reversal goes back over the edge its payment came by.
        if (operation is Reversal reversal && reversal.Original.Edge != driver.Edge)
        {
            driver = drivers.First(d => d.Edge == reversal.Original.Edge);
        }

        // Requests may start up to a millisecond before they are due; they are timed from whichever is later.
        var from = Math.Max(due, Stopwatch.GetTimestamp());
        var measuring = Measuring;
        var sent = DateTime.UtcNow;
        var outcome = await driver.SendAsync(operation, cancellationToken);
        if (operation.Kind == Kind.Payment && outcome.Approved)
        {
            interruptions.Approved(operation.Bank, sent, DateTime.UtcNow);
        }

        if (measuring)
        {
            stats.Record(operation, driver.Edge, outcome, Math.Max(1, Stopwatch.GetTimestamp() - from));
        }
    }
}
