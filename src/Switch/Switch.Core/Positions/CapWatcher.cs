using Akka.Actor;
using Akka.Event;

namespace Switch.Positions;

/// <summary>
/// One per node: every <see cref="PositionSettings.CapRefresh"/> it asks the database, in one query for all banks,
/// which caps differ from the one their position actor last acknowledged (changed through the switch or edited
/// directly), and tells those actors to apply theirs. The actor acknowledges in the database once applied, which
/// ends the difference.
/// </summary>
public sealed class CapWatcher : ReceiveActor, IWithTimers
{
    private readonly IPositionSource _source;
    private readonly IActorRef _positions;
    private readonly PositionSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
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

    protected override void PreStart() => Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, _settings.CapRefresh);

    private void Ask()
    {
        if (_asking)
        {
            return;
        }

        _asking = true;
        var timeout = new CancellationTokenSource(_settings.ReadTimeout);
        var asking = _source.BanksWithNewCapsAsync(timeout.Token);
        asking.ContinueWith(_ => timeout.Dispose(), TaskScheduler.Default);
        asking.PipeTo(Self, success: banks => new Found(banks), failure: e => new Failed(e));
    }

    private void OnFound(Found found)
    {
        _asking = false;
        if (_failing)
        {
            _failing = false;
            _log.Info("Cap changes can be read again");
        }

        foreach (var bank in found.Banks)
        {
            _positions.Tell(new RefreshCap(bank));
        }
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

    private sealed record Found(IReadOnlyList<string> Banks);

    private sealed record Failed(Exception Cause);
}
