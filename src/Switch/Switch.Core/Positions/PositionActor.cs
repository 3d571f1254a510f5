using Akka.Actor;
using Akka.Event;

namespace Switch.Positions;

/// <summary>
/// The single writer of one bank's position: it checks the net debit cap without database locks, and owns its
/// reservations. It starts from the journal, and goes back to it (piped back, never awaited in a handler) whenever
/// something only the journal can decide comes up: a reservation nobody confirmed or released by its settle-by time,
/// a confirm or release for a reservation it does not hold (granted before a restart, or settled here already), a
/// cap to apply. While such a read is under way the bank's other requests wait in the stash, so that the journal's
/// snapshot and the actor's state meet exactly. A journal that cannot be read is tried again with a capped
/// exponential backoff, and its outage is logged once when it starts and once when it ends.
/// </summary>
public sealed class PositionActor : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    /// <summary>How many settled references are remembered, so that a repeat of their confirm or release costs no read.</summary>
    private const int SettledMemory = 10_000;

    private readonly string _bank;
    private readonly IPositionSource _source;
    private readonly PositionSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, bool> _settled = [];
    private readonly Queue<string> _settledOrder = new();
    private readonly HashSet<string> _unknown = [];
    private List<IActorRef> _capWaiters = [];
    private Position _position;
    private bool _loaded;
    private bool _readWanted = true;
    private bool _reading;
    private bool _acknowledging;
    private bool _waitingToRetry;
    private bool _reversedWhileReading;
    private IReadOnlyCollection<string> _asked = [];
    private List<IActorRef> _askedCapWaiters = [];
    private int _failedReads;
    private DateTimeOffset _outageSince;

    public PositionActor(string bank, IPositionSource source, PositionSettings settings, TimeProvider time)
    {
        _bank = bank;
        _source = source;
        _settings = settings;
        _time = time;
        _position = Position.Empty(bank, 0);
        Waiting();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string bank, IPositionSource source, PositionSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new PositionActor(bank, source, settings, time));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(nameof(Sweep), Sweep.Instance, _settings.SweepEvery);
        StartReadIfWanted();
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Serving the bank: no read of the journal under way (or none possible before the next retry).</summary>
    private void Ready()
    {
        Receive<Reserve>(OnReserve);
        Receive<Confirm>(confirm => Settle(confirm.Payment, confirmed: true));
        Receive<Release>(release => Settle(release.Payment, confirmed: false));
        Receive<ReverseCommitted>(reverse => _position = _position.Reverse(reverse.Amount));
        Receive<GetPosition>(_ => Sender.Tell(Snapshot()));
        Receive<RefreshCap>(OnRefreshCap);
        Receive<Sweep>(_ =>
        {
            _readWanted |= _position.AnyOverdue(Now);
            StartReadIfWanted();
        });
        ReceiveRead();
    }

    /// <summary>A read is under way, or the position has never been read: the bank's requests wait.</summary>
    private void Waiting()
    {
        Receive<Reserve>(reserve =>
        {
            if (Now >= reserve.Deadline)
            {
                Sender.Tell(new Reservation(reserve.Payment, ReserveOutcome.TooLate));
            }
            else
            {
                Stash.Stash();
            }
        });
        // Its journal commit came before this message, but maybe after the snapshot being read: whether that snapshot
        // counts it is unknown, so the reversal is left to a read that starts after it (it cannot miss it).
        Receive<ReverseCommitted>(_ => _reversedWhileReading = true);
        Receive<GetPosition>(_ =>
        {
            if (_loaded)
            {
                Sender.Tell(Snapshot());
            }
            else
            {
                Stash.Stash();
            }
        });
        Receive<RefreshCap>(OnRefreshCap);
        Receive<Sweep>(_ => { });
        ReceiveRead();
        ReceiveAny(_ => Stash.Stash());
    }

    private void ReceiveRead()
    {
        Receive<Read>(OnRead);
        Receive<ReadFailed>(OnReadFailed);
        Receive<RetryRead>(_ =>
        {
            _waitingToRetry = false;
            StartReadIfWanted();
        });
        Receive<CapAcknowledged>(_ =>
        {
            _acknowledging = false;
            StartReadIfWanted();
        });
    }

    private void OnReserve(Reserve reserve)
    {
        var now = Now;
        (_position, var outcome) = _position.Reserve(reserve.Payment, reserve.Amount, reserve.Deadline, reserve.Deadline + _settings.SettleMargin, now);
        Sender.Tell(new Reservation(reserve.Payment, outcome));
    }

    /// <summary>The payment's flow says how it ended; one the actor does not hold is asked of the journal.</summary>
    private void Settle(string payment, bool confirmed)
    {
        if (_position.Holds(payment))
        {
            _position = confirmed ? _position.Confirm(payment) : _position.Release(payment);
        }
        else if (!_settled.TryGetValue(payment, out var settledAs) || settledAs != confirmed)
        {
            _unknown.Add(payment);
            _readWanted = true;
            StartReadIfWanted();
        }
    }

    private void OnRefreshCap(RefreshCap refresh)
    {
        _capWaiters.Add(Sender);
        _readWanted = true;
        StartReadIfWanted();
    }

    private void StartReadIfWanted()
    {
        if (!_readWanted || _reading || _acknowledging || _waitingToRetry)
        {
            return;
        }

        _readWanted = false;
        _reading = true;
        _reversedWhileReading = false;
        _asked = [.. _position.Reservations.Keys, .. _unknown];
        _unknown.Clear();
        (_askedCapWaiters, _capWaiters) = (_capWaiters, []);
        var timeout = new CancellationTokenSource(_settings.ReadTimeout);
        var reading = _source.ReadAsync(_bank, _asked, timeout.Token);
        reading.ContinueWith(_ => timeout.Dispose(), TaskScheduler.Default);
        reading.PipeTo(Self, success: journal => new Read(journal), failure: e => new ReadFailed(e));
        Become(Waiting);
    }

    private void OnRead(Read read)
    {
        _reading = false;
        (_position, var settled) = _position.Reconcile(read.Journal, _asked, Now);
        foreach (var (payment, confirmed) in settled)
        {
            Remember(payment, confirmed);
        }

        if (_failedReads > 0)
        {
            _log.Info("Position of bank {0}: the journal can be read again, after {1} failed reads over {2:g}", _bank, _failedReads, Now - _outageSince);
            _failedReads = 0;
        }

        if (!_loaded)
        {
            _loaded = true;
            _log.Info("Position of bank {0} rebuilt: committed {1} of cap {2}", _bank, _position.Committed, _position.Cap);
        }

        if (_askedCapWaiters.Count > 0)
        {
            var applied = new CapApplied(_bank, _position.Cap);
            _askedCapWaiters.ForEach(waiter => waiter.Tell(applied));
            // Acknowledged only now that it is applied; the next read waits for it, so acknowledgements keep their order.
            _acknowledging = true;
            _source.AcknowledgeCapAsync(_bank, _position.Cap, CancellationToken.None)
                .PipeTo(Self, success: () => CapAcknowledged.Instance, failure: _ => CapAcknowledged.Instance);
        }

        _askedCapWaiters = [];
        _readWanted |= _reversedWhileReading;
        Become(Ready);
        Stash.UnstashAll();
        StartReadIfWanted();
    }

    private void OnReadFailed(ReadFailed failed)
    {
        _reading = false;
        if (_failedReads++ == 0)
        {
            _outageSince = Now;
            _log.Warning("Position of bank {0}: the journal cannot be read ({1}: {2}); {3} waits, retrying with backoff up to {4:g}",
                _bank, failed.Cause.GetType().Name, failed.Cause.Message, _loaded ? "settling reservations" : "the bank's first request", _settings.RetryMax);
        }

        // Nothing was learned: ask the same again, after a pause that grows with each failure.
        foreach (var payment in _asked.Where(p => !_position.Holds(p)))
        {
            _unknown.Add(payment);
        }

        _capWaiters.InsertRange(0, _askedCapWaiters);
        _askedCapWaiters = [];
        _readWanted = true;
        _waitingToRetry = true;
        Timers.StartSingleTimer(nameof(RetryRead), RetryRead.Instance, Backoff(_failedReads));
        if (_loaded)
        {
            Become(Ready);
            Stash.UnstashAll();
        }
        else
        {
            DropExpiredRequests();
        }
    }

    /// <summary>While the position cannot be loaded, requests whose callers have given up are answered TooLate rather than kept.</summary>
    private void DropExpiredRequests()
    {
        var now = Now;
        var kept = new List<Envelope>();
        foreach (var envelope in Stash.ClearStash())
        {
            if (envelope.Message is Reserve reserve && now >= reserve.Deadline)
            {
                envelope.Sender.Tell(new Reservation(reserve.Payment, ReserveOutcome.TooLate));
            }
            else
            {
                kept.Add(envelope);
            }
        }

        Stash.Prepend(kept);
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks(Math.Min(_settings.RetryMax.Ticks, _settings.RetryFirst.Ticks << Math.Min(failures - 1, 20)));

    private void Remember(string payment, bool confirmed)
    {
        if (_settled.TryAdd(payment, confirmed))
        {
            _settledOrder.Enqueue(payment);
            if (_settledOrder.Count > SettledMemory)
            {
                _settled.Remove(_settledOrder.Dequeue());
            }
        }
        else
        {
            _settled[payment] = confirmed;
        }
    }

    private PositionSnapshot Snapshot() => new(_bank, _position.Cap, _position.Committed, _position.Reserved);

    private sealed record Read(JournalPosition Journal);

    private sealed record ReadFailed(Exception Cause);

    private sealed class RetryRead
    {
        public static readonly RetryRead Instance = new();
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }

    private sealed class CapAcknowledged
    {
        public static readonly CapAcknowledged Instance = new();
    }
}
