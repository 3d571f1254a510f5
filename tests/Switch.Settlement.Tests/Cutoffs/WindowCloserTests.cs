using Akka.Actor;
using Switch.Settlement.Cutoffs;
using Switch.Settlement.Windows;

namespace Switch.Settlement.Tests.Cutoffs;

public sealed class WindowCloserTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("window-closer-tests");

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Closer_closes_every_window_once_when_the_injected_clock_reaches_the_cutoff()
    {
        // The clock reads 11:59:58.5 now, so the 12:00 cut-off comes in a second and a half of real time.
        var utc = TimeZoneInfo.FindSystemTimeZoneById("Etc/UTC");
        var now = DateTimeOffset.UtcNow;
        var clock = new ShiftedClock(new DateTimeOffset(now.Date.AddHours(12).AddSeconds(-1.5), TimeSpan.Zero) - now);
        var schedule = new CutoffSchedule([new TimeOnly(12, 0)], utc);
        var closed = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;

        _system.ActorOf(WindowCloser.Props(schedule, _ =>
        {
            Interlocked.Increment(ref calls);
            closed.TrySetResult(clock.GetUtcNow());
            return Task.FromResult<IReadOnlyList<WindowClose>>([new WindowClose(7, 8, TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(3))]);
        }, clock));
        var at = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.InRange(at - new DateTimeOffset(now.Date.AddHours(12), TimeSpan.Zero), TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    private sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + by;
    }
}
