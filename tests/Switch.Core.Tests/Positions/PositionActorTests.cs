using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Switch.Positions;

namespace Switch.Core.Tests.Positions;

/// <summary>A real actor system and a journal the test controls: it can be down, slow or change under the actor.</summary>
public sealed class PositionActorTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly PositionSettings Settings = new()
    {
        SettleMargin = TimeSpan.FromSeconds(5),
        SweepEvery = TimeSpan.FromMilliseconds(20),
        RetryFirst = TimeSpan.FromMilliseconds(50),
        RetryMax = TimeSpan.FromMilliseconds(400),
        ReadTimeout = TimeSpan.FromSeconds(2),
        CapRefresh = TimeSpan.FromMilliseconds(50),
    };

    private readonly ManualClock _clock = new();
    private readonly FakeJournal _journal = new();
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("positions-" + Guid.NewGuid().ToString("N"), "akka.loglevel = INFO");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    [Fact]
    public async Task Reservation_nobody_settles_is_released_once_overdue_when_the_journal_has_no_approval_for_it()
    {
        var position = Start(cap: 1_000);
        Assert.True((await position.Ask<Reservation>(Reserve("forgotten", 300), Wait)).Granted);

        _clock.Advance(TimeSpan.FromSeconds(1) + Settings.SettleMargin);

        Assert.Equal((0L, 0L), await SettledAsync(position));
        Assert.Contains(_journal.Asked, asked => asked.Contains("forgotten"));
    }

    [Fact]
    public async Task Reservation_nobody_settles_is_confirmed_once_overdue_when_the_journal_holds_its_approval()
    {
        var position = Start(cap: 1_000);
        Assert.True((await position.Ask<Reservation>(Reserve("committed-unheard", 300), Wait)).Granted);
        _journal.Approve("committed-unheard", 300);

        _clock.Advance(TimeSpan.FromSeconds(1) + Settings.SettleMargin);

        Assert.Equal((300L, 0L), await SettledAsync(position));
    }

    [Fact]
    public async Task Confirm_for_a_reservation_the_actor_does_not_hold_is_counted_from_the_journal()
    {
        var position = Start(cap: 1_000);
        await position.Ask<PositionSnapshot>(new GetPosition("B"), Wait);
        // Granted by an earlier incarnation of the actor, committed after this one loaded.
        _journal.Approve("from-before-a-restart", 400);

        position.Tell(new Confirm("B", "from-before-a-restart"));

        await PollAsync(position, p => p.Committed == 400);
    }

    [Fact]
    public async Task Release_for_a_reservation_already_released_as_overdue_is_checked_with_the_journal_and_changes_nothing_more()
    {
        var position = Start(cap: 1_000);
        Assert.True((await position.Ask<Reservation>(Reserve("slow", 300), Wait)).Granted);
        _clock.Advance(TimeSpan.FromSeconds(1) + Settings.SettleMargin);
        await SettledAsync(position);
        var reads = _journal.Reads;

        position.Tell(new Release("B", "slow"));

        Assert.Equal(new PositionSnapshot("B", 1_000, 0, 0), await position.Ask<PositionSnapshot>(new GetPosition("B"), Wait));
        Assert.Equal(reads, _journal.Reads);
    }

    [Fact]
    public async Task Late_confirm_of_a_reservation_released_as_overdue_is_counted_once_its_approval_is_in_the_journal()
    {
        var position = Start(cap: 1_000);
        Assert.True((await position.Ask<Reservation>(Reserve("late-commit", 300), Wait)).Granted);
        _clock.Advance(TimeSpan.FromSeconds(1) + Settings.SettleMargin);
        await SettledAsync(position);

        // The commit landed after the actor released it: the flow confirms, the journal agrees.
        _journal.Approve("late-commit", 300);
        position.Tell(new Confirm("B", "late-commit"));

        await PollAsync(position, p => p.Committed == 300);
    }

    [Fact]
    public async Task Request_that_waited_past_its_deadline_while_the_position_loaded_is_not_granted()
    {
        _journal.Down = true;
        var position = Start(cap: 1_000);
        var answer = position.Ask<Reservation>(Reserve("stale", 300), Wait);
        await PollUntilAsync(() => _journal.Reads >= 1);

        _clock.Advance(TimeSpan.FromSeconds(2));
        _journal.Down = false;

        Assert.Equal(ReserveOutcome.TooLate, (await answer).Outcome);
        Assert.Equal(new PositionSnapshot("B", 1_000, 0, 0), await position.Ask<PositionSnapshot>(new GetPosition("B"), Wait));
    }

    [Fact]
    public async Task Journal_outage_while_loading_is_retried_with_a_growing_pause_logged_once_and_its_end_once()
    {
        var logs = new ConcurrentQueue<string>();
        _system.EventStream.Subscribe(_system.ActorOf(Props.Create(() => new LogCollector(logs))), typeof(LogEvent));
        _journal.Down = true;
        var position = Start(cap: 1_000);
        var answer = position.Ask<PositionSnapshot>(new GetPosition("B"), Wait);

        await PollUntilAsync(() => _journal.Reads >= 6);
        _journal.Down = false;

        Assert.Equal(1_000, (await answer).Cap);
        var times = _journal.ReadTimes.Take(6).ToArray();
        var pauses = times.Zip(times.Skip(1), (a, b) => b - a).ToArray();
        // 50, 100, 200, 400, 400 ms; a little slack for timer resolution.
        Assert.All(pauses.Zip([50, 100, 200, 400, 400]), p => Assert.True(p.First >= TimeSpan.FromMilliseconds(p.Second - 15), $"pauses {string.Join(", ", pauses)}"));
        await PollUntilAsync(() => logs.Any(l => l.Contains("can be read again")));
        Assert.Single(logs, l => l.Contains("cannot be read"));
        Assert.Single(logs, l => l.Contains("can be read again"));
    }

    [Fact]
    public async Task Cap_refresh_applies_the_journals_cap_then_answers_and_acknowledges_it()
    {
        var position = Start(cap: 1_000);
        Assert.True((await position.Ask<Reservation>(Reserve("a", 600), Wait)).Granted);
        _journal.Cap = 700;

        var applied = await position.Ask<CapApplied>(new RefreshCap("B"), Wait);
        var refused = await position.Ask<Reservation>(Reserve("b", 200), Wait);

        Assert.Equal(new CapApplied("B", 700), applied);
        Assert.Equal(ReserveOutcome.CapExceeded, refused.Outcome);
        await PollUntilAsync(() => _journal.Acknowledged.Contains(("B", 700L)));
    }

    [Fact]
    public async Task Cap_watcher_tells_the_actors_of_banks_whose_cap_changed()
    {
        var position = Start(cap: 1_000);
        await position.Ask<PositionSnapshot>(new GetPosition("B"), Wait);
        _journal.Cap = 100;
        _journal.Caps = [new BankCap("B", 100, Acknowledged: false)];

        _system.ActorOf(CapWatcher.Props(_journal, position, Settings));

        await PollAsync(position, p => p.Cap == 100);
    }

    [Fact]
    public async Task Cap_watcher_tells_the_actor_of_a_cap_that_changed_since_its_last_look_even_if_acknowledged_elsewhere()
    {
        var position = Start(cap: 1_000);
        await position.Ask<PositionSnapshot>(new GetPosition("B"), Wait);
        _journal.Caps = [new BankCap("B", 1_000, Acknowledged: true)];
        _system.ActorOf(CapWatcher.Props(_journal, position, Settings));
        await PollUntilAsync(() => _journal.CapReads >= 1);

        _journal.Cap = 100;
        _journal.Caps = [new BankCap("B", 100, Acknowledged: true)];

        await PollAsync(position, p => p.Cap == 100);
    }

    private IActorRef Start(long cap)
    {
        _journal.Cap = cap;
        return _system.ActorOf(PositionActor.Props("B", _journal, Settings, _clock));
    }

    private Reserve Reserve(string payment, long amount) => new("B", payment, amount, _clock.GetUtcNow().AddSeconds(1));

    private static async Task<(long Committed, long Reserved)> SettledAsync(IActorRef position)
    {
        var snapshot = await PollAsync(position, p => p.Reserved == 0);
        return (snapshot.Committed, snapshot.Reserved);
    }

    private static async Task<PositionSnapshot> PollAsync(IActorRef position, Func<PositionSnapshot, bool> expected)
    {
        var until = DateTime.UtcNow + Wait;
        while (true)
        {
            var snapshot = await position.Ask<PositionSnapshot>(new GetPosition("B"), Wait);
            if (expected(snapshot))
            {
                return snapshot;
            }

            Assert.True(DateTime.UtcNow < until, $"still {snapshot}");
            await Task.Delay(10);
        }
    }

    private static async Task PollUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not come true in time");
            await Task.Delay(5);
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero).UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    /// <summary>One bank's journal: a committed total that counts exactly the approvals it lists.</summary>
    private sealed class FakeJournal : IPositionSource
    {
        private readonly ConcurrentDictionary<string, long> _approved = new();
        private long _committed;
        private int _reads;
        private int _capReads;

        public volatile bool Down;

        public long Cap { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public ConcurrentQueue<DateTime> ReadTimes { get; } = new();

        public ConcurrentQueue<IReadOnlyCollection<string>> Asked { get; } = new();

        public ConcurrentQueue<(string Bank, long Cap)> Acknowledged { get; } = new();

        public IReadOnlyList<BankCap> Caps { get; set; } = [];

        public void Approve(string reference, long amount)
        {
            _approved[reference] = amount;
            Interlocked.Add(ref _committed, amount);
        }

        public Task<JournalPosition> ReadAsync(string bank, IReadOnlyCollection<string> references, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            ReadTimes.Enqueue(DateTime.UtcNow);
            Asked.Enqueue(references);
            return Down
                ? Task.FromException<JournalPosition>(new InvalidOperationException("PostgreSQL is down"))
                : Task.FromResult(new JournalPosition(Cap, Interlocked.Read(ref _committed), references.Where(_approved.ContainsKey).ToHashSet()));
        }

        public int CapReads => Volatile.Read(ref _capReads);

        public Task<IReadOnlyList<BankCap>> CapsAsync(CancellationToken cancellationToken)
        {
            var caps = Caps;
            Interlocked.Increment(ref _capReads);
            return Task.FromResult(caps);
        }

        public Task AcknowledgeCapAsync(string bank, long cap, CancellationToken cancellationToken)
        {
            Acknowledged.Enqueue((bank, cap));
            return Task.CompletedTask;
        }
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> logs) => Receive<LogEvent>(e => logs.Enqueue(e.ToString()));
    }
}
