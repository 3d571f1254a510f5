using Akka.Actor;
using Akka.Event;
using Switch.Settlement.Windows;

namespace Switch.Settlement.Cutoffs;

/// <summary>
/// Closes every currency's open settlement window at each cut-off of the schedule. One per cluster (a cluster
/// singleton): two nodes never close at one cut-off. It looks at the injected clock at least every
/// <see cref="LookEvery"/>, so a clock that is set or a timer that fires early moves no close. A close that fails
/// (PostgreSQL unreachable) is tried again at the next look until it succeeds; a cut-off missed while no node ran the
/// closer is not made up for (the next one closes the window).
/// </summary>
public sealed class WindowCloser : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(15);

    private readonly CutoffSchedule _schedule;
    private readonly Func<CancellationToken, Task<IReadOnlyList<WindowClose>>> _closeAll;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private DateTimeOffset _due;
    private bool _closing;

    public WindowCloser(CutoffSchedule schedule, Func<CancellationToken, Task<IReadOnlyList<WindowClose>>> closeAll, TimeProvider time)
    {
        _schedule = schedule;
        _closeAll = closeAll;
        _time = time;
        Receive<Look>(_ => OnLook());
        Receive<Closed>(OnClosed);
        Receive<Status.Failure>(OnFailed);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(CutoffSchedule schedule, Func<CancellationToken, Task<IReadOnlyList<WindowClose>>> closeAll, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new WindowCloser(schedule, closeAll, time));

    protected override void PreStart()
    {
        _due = _schedule.Next(_time.GetUtcNow());
        _log.Info("Settlement cut-offs at {0} ({1}) run on this node; the next at {2:u}", string.Join(", ", _schedule.Times), _schedule.Zone.Id, _due);
        LookAgain();
    }

    private void LookAgain()
    {
        var wait = _due - _time.GetUtcNow();
        Timers.StartSingleTimer(nameof(Look), Look.Instance, wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < LookEvery ? wait : LookEvery);
    }

    private void OnLook()
    {
        if (_closing)
        {
            return;
        }

        if (_time.GetUtcNow() < _due)
        {
            LookAgain();
            return;
        }

        _closing = true;
        var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var closing = _closeAll(timeout.Token);
        closing.ContinueWith(_ => timeout.Dispose(), TaskScheduler.Default);
        closing.PipeTo(Self, success: closes => new Closed(closes));
    }

    private void OnClosed(Closed closed)
    {
        _closing = false;
        foreach (var close in closed.Closes)
        {
            _log.Info("Cut-off {0:u}: settlement window {1} closed, window {2} open; commits held {3:F1} ms in the server plus its commit",
                _due, close.WindowId, close.NextWindowId, close.InServer.TotalMilliseconds);
        }

        _due = _schedule.Next(_time.GetUtcNow());
        LookAgain();
    }

    private void OnFailed(Status.Failure failed)
    {
        _closing = false;
        _log.Warning("Cut-off {0:u}: the windows could not be closed ({1}: {2}); trying again in {3:g}",
            _due, failed.Cause.GetType().Name, failed.Cause.Message, LookEvery);
        Timers.StartSingleTimer(nameof(Look), Look.Instance, LookEvery);
    }

    private sealed class Look
    {
        public static readonly Look Instance = new();
    }

    private sealed record Closed(IReadOnlyList<WindowClose> Closes);
}
