using Akka.Actor;
using Akka.Event;

namespace Switch.Positions;

/// <summary>
/// One per cluster (a cluster singleton, see the host's ClusterSingletons): every <see cref="PositionSettings.CapRefresh"/> it reads every bank's cap in one query and tells the
/// position actor of each bank whose cap is not acknowledged (changed through the switch or edited directly, or a new
/// bank) or differs from the one this watcher saw last time, to apply it. The actor acknowledges in the database once
/// applied. Comparing with its own last look too means a cap change reaches this node's actors even when another
/// switch on the same database (tests run several) acknowledged it first.
/// </summary>
public sealed class CapWatcher : ReceiveActor, IWithTimers
{
    private readonly IPositionSource _source;
    private readonly IActorRef _positions;
    private readonly PositionSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Dictionary<string, long> _seen = [];
    private bool _asking;
    private bool _failing;

    public CapWatcher(IPositionSource source, IActorRef positions, PositionSettings settings)
    {
        _source = source;
        _positions = positions;
        _settings = settings;
        Receive<Tick>(_ => Ask());
        Receive<Found>(OnFound);
        Receive<Failed>(OnFailed);
        Receive<CapApplied>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IPositionSource source, IActorRef positions, PositionSettings settings) =>
        Akka.Actor.Props.Create(() => new CapWatcher(source, positions, settings));

    protected override void PreStart()
    {
        _log.Info("Cap watcher running on this node, reading caps every {0:g}", _settings.CapRefresh);
        Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, _settings.CapRefresh);
    }

    private void Ask()
    {
        if (_asking)
        {
            return;
        }

        _asking = true;
        var timeout = new CancellationTokenSource(_settings.ReadTimeout);
        var asking = _source.CapsAsync(timeout.Token);
        asking.ContinueWith(_ => timeout.Dispose(), TaskScheduler.Default);
        asking.PipeTo(Self, success: caps => new Found(caps), failure: e => new Failed(e));
    }

    private void OnFound(Found found)
    {
        _asking = false;
        if (_failing)
        {
            _failing = false;
            _log.Info("Cap changes can be read again");
        }

        foreach (var cap in found.Caps.Where(c => !c.Acknowledged || (_seen.TryGetValue(c.Bank, out var seen) && seen != c.Cap)))
        {
            _positions.Tell(new RefreshCap(cap.Bank));
        }

        _seen = found.Caps.ToDictionary(c => c.Bank, c => c.Cap);
    }

    private void OnFailed(Failed failed)
    {
        _asking = false;
        if (!_failing)
        {
            _failing = true;
            _log.Warning("Cap changes cannot be read ({0}: {1}); asking again every {2:g}", failed.Cause.GetType().Name, failed.Cause.Message, _settings.CapRefresh);
        }
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record Found(IReadOnlyList<BankCap> Caps);

    private sealed record Failed(Exception Cause);
}
