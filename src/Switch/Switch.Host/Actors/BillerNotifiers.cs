using Akka.Actor;
using Akka.Event;
using Switch.Adapters.Postgres;
using Switch.Billers.Notifications;

namespace Switch.Host.Actors;

/// <summary>
/// The cluster singleton that reads the journal as an outbox and owns one <see cref="BillerNotifier"/> per biller with
/// an adapter, so each biller has exactly one notifier in the whole cluster. It dispatches (gives sequence numbers to
/// what the journal committed) every poll, wakes the notifiers that got something, and reads the adapters' settings
/// again every so often. A failed dispatch is tried again at the next poll: the cursor only moves with a dispatch that
/// committed.
/// </summary>
public sealed class BillerNotifiers : ReceiveActor, IWithTimers
{
    private readonly PostgresBillerNotifications _store;
    private readonly NotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly Dictionary<string, IActorRef> _notifiers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _dispatching;
    private DateTimeOffset _adaptersReadAt = DateTimeOffset.MinValue;

    public BillerNotifiers(PostgresBillerNotifications store, NotificationOptions options, TimeProvider time, HttpClient http)
    {
        _store = store;
        _options = options;
        _time = time;
        _http = http;
        Receive<Poll>(_ => OnPoll());
        Receive<Dispatched>(OnDispatched);
        Receive<AdaptersRead>(OnAdaptersRead);
        Receive<Status.Failure>(failure =>
        {
            _dispatching = false;
            _log.Warning("Dispatching biller notifications failed ({0}); tried again at the next poll", failure.Cause.Message);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(PostgresBillerNotifications store, NotificationOptions options, TimeProvider time, HttpClient http) =>
        Akka.Actor.Props.Create(() => new BillerNotifiers(store, options, time, http));

    protected override void PreStart() => Timers.StartPeriodicTimer("poll", Poll.Instance, TimeSpan.Zero, _options.PollInterval);

    private void OnPoll()
    {
        if (_dispatching)
        {
            return;
        }

        _dispatching = true;
        if (_time.GetUtcNow() - _adaptersReadAt >= _options.AdapterRefresh)
        {
            _adaptersReadAt = _time.GetUtcNow();
            _store.AdaptersAsync(CancellationToken.None).PipeTo(Self, success: adapters => new AdaptersRead(adapters));
            return;
        }

        _store.DispatchAsync(CancellationToken.None).PipeTo(Self, success: rows => new Dispatched(rows));
    }

    private void OnAdaptersRead(AdaptersRead read)
    {
        foreach (var settings in read.Adapters)
        {
            if (!_notifiers.TryGetValue(settings.Biller, out var notifier))
            {
                notifier = Context.ActorOf(BillerNotifier.Props(settings, _store, _options, _time, _http), Uri.EscapeDataString(settings.Biller));
                _notifiers[settings.Biller] = notifier;
            }
            else
            {
                notifier.Tell(settings);
            }
        }

        _store.DispatchAsync(CancellationToken.None).PipeTo(Self, success: rows => new Dispatched(rows));
    }

    private void OnDispatched(Dispatched dispatched)
    {
        _dispatching = false;
        foreach (var (biller, rows) in dispatched.Rows)
        {
            if (_notifiers.TryGetValue(biller, out var notifier))
            {
                notifier.Tell(new BillerNotifier.Dispatched(rows));
            }
        }
    }

    private sealed class Poll
    {
        public static readonly Poll Instance = new();
    }

    private sealed record Dispatched(IReadOnlyDictionary<string, List<BillerNotification>> Rows);

    private sealed record AdaptersRead(IReadOnlyList<BillerAdapterSettings> Adapters);
}

/// <summary>The notifier's settings (section Switch:Notifications).</summary>
public sealed class NotificationOptions
{
    public const string Section = "Switch:Notifications";

    /// <summary>How often the journal is read for new payments and reversals: the floor of the delivery lag.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the billers' adapter settings are read again.</summary>
    public TimeSpan AdapterRefresh { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A notification still failing this long after it was committed goes to the operator queue (parked).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The longest wait between two attempts at a failing biller.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many pending notifications a notifier holds in memory at once.</summary>
    public int Window { get; set; } = 5000;
}
