using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

public class ApprovalCodesTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Two_nodes_on_one_counter_never_hand_out_the_same_code_of_a_bank_on_a_day()
    {
        var counters = new FlowStandIns.CountingBlocks();
        var time = new Clock(Noon);
        var nodes = new[] { Node(counters, time, 100), Node(counters, time, 100) };

        var codes = await Task.WhenAll(Enumerable.Range(0, 5000).Select(i => nodes[i % 2].NextAsync("100001", default).AsTask()));

        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches("^[A-Z0-9]{6}$", code));
    }

    [Fact]
    public async Task The_next_block_is_asked_for_when_half_of_the_current_one_is_used_and_serves_after_it()
    {
        var counters = new HeldBlocks();
        var codes = Node(counters, new Clock(Noon), 10);
        var first = codes.NextAsync("100001", default);
        counters.Release();
        await first;
        for (var i = 1; i < 4; i++)
        {
            await codes.NextAsync("100001", default);
        }

        var askedBeforeHalf = counters.Calls;
        await codes.NextAsync("100001", default);
        // Asked twice: for the first block and, now, for the one after it.
        Assert.True(await counters.Asked.WaitAsync(TimeSpan.FromSeconds(10)) && await counters.Asked.WaitAsync(TimeSpan.FromSeconds(10)));
        // The rest of the block is handed out while the next one is still on its way; the one after waits for it.
        var rest = Enumerable.Range(0, 5).Select(_ => codes.NextAsync("100001", default)).ToList();
        var next = codes.NextAsync("100001", default);
        var nextWaited = !next.IsCompleted;
        counters.Release();
        await next;

        Assert.Equal(1, askedBeforeHalf);
        Assert.All(rest, code => Assert.True(code.IsCompleted));
        Assert.True(nextWaited);
        Assert.Equal(2, counters.Calls);
    }

    [Fact]
    public async Task A_new_UTC_day_starts_its_own_counter()
    {
        var counters = new FlowStandIns.CountingBlocks();
        var time = new Clock(Noon.Date.AddDays(1).AddMilliseconds(-1));
        var codes = Node(counters, time, 100);

        await codes.NextAsync("100001", default);
        time.Now = time.Now.AddMilliseconds(1);
        await codes.NextAsync("100001", default);

        Assert.Equal([("100001", new DateOnly(2026, 11, 23)), ("100001", new DateOnly(2026, 11, 24))], counters.Taken);
        // The UTC date, whatever the offset the clock is read in.
        Assert.Equal(new DateOnly(2026, 11, 23), ApprovalCodes.DayOf(new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.FromHours(3))));
    }

    [Fact]
    public async Task A_block_that_cannot_be_taken_fails_the_code_and_is_taken_again_by_the_next()
    {
        var counters = new FailingOnceBlocks();
        var codes = Node(counters, new Clock(Noon), 100);

        await Assert.ThrowsAsync<TimeoutException>(async () => await codes.NextAsync("100001", default));
        var code = await codes.NextAsync("100001", default);

        Assert.Matches("^[A-Z0-9]{6}$", code);
    }

    [Fact]
    public async Task An_approval_carries_the_code_handed_out_and_a_reference_of_the_node()
    {
        var journal = new WrittenJournal();
        var time = new Clock(Noon);
        var codes = FlowStandIns.Codes(time);
        var flow = new TransactionFlow(new FlowStandIns.Catalog(), new FlowStandIns.NoBills(), journal, new FlowStandIns.AlwaysRoom(), time,
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30), new ReceiptCodes(new byte[32]), new SwitchReferences(0x42, time), codes);

        var reply = await flow.PayAsync(FlowStandIns.TopUpPayment(), time.GetUtcNow(), CancellationToken.None);

        Assert.Equal("00", reply.ResponseCode);
        Assert.Equal((reply.ApprovalCode, reply.SwitchReference), (journal.Entry!.ApprovalCode, journal.Entry.SwitchReference));
        Assert.Matches("^SW[0-9A-F]{14}000042$", reply.SwitchReference);
        Assert.Equal(ApprovalCodePermutation.For(new byte[32], "100001", new DateOnly(2026, 11, 23)).Code(0), reply.ApprovalCode);
    }

    [Fact]
    public async Task Payment_whose_code_cannot_be_had_gives_its_reservation_back_and_writes_nothing()
    {
        var journal = new WrittenJournal();
        var positions = new CountingPositions();
        var time = new Clock(Noon);
        var flow = new TransactionFlow(new FlowStandIns.Catalog(), new FlowStandIns.NoBills(), journal, positions, time, TimeSpan.FromSeconds(5),
            TimeSpan.FromMinutes(30), new ReceiptCodes(new byte[32]), new SwitchReferences(1, time), Node(new FailingOnceBlocks(), time, 100));

        await Assert.ThrowsAsync<TimeoutException>(() => flow.PayAsync(FlowStandIns.TopUpPayment(), time.GetUtcNow(), CancellationToken.None));

        Assert.Equal((1, 1, 0), (positions.Reserved, positions.Released, positions.Confirmed));
        Assert.Null(journal.Entry);
    }

    private static ApprovalCodes Node(IApprovalCodeBlocks counters, TimeProvider time, int blockSize) =>
        new(counters, () => new byte[32], time, blockSize);

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Each block is given out only when the test releases it.</summary>
    private sealed class HeldBlocks : IApprovalCodeBlocks
    {
        private readonly SemaphoreSlim _released = new(0);
        private long _taken;
        private int _calls;

        /// <summary>Released once for every block asked for.</summary>
        public SemaphoreSlim Asked { get; } = new(0);

        public int Calls => Volatile.Read(ref _calls);

        public void Release() => _released.Release();

        public async Task<long> TakeAsync(string bank, DateOnly day, int size, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            Asked.Release();
            await _released.WaitAsync(cancellationToken);
            return Interlocked.Add(ref _taken, size) - size;
        }
    }

    private sealed class FailingOnceBlocks : IApprovalCodeBlocks
    {
        private int _calls;

        public Task<long> TakeAsync(string bank, DateOnly day, int size, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1 ? Task.FromException<long>(new TimeoutException("database away")) : Task.FromResult(0L);
    }

    private sealed class CountingPositions : Switch.Positions.IPositions
    {
        public int Reserved { get; private set; }

        public int Released { get; private set; }

        public int Confirmed { get; private set; }

        public Task<bool> ReserveAsync(string bank, string reservation, long amount, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            Reserved++;
            return Task.FromResult(true);
        }

        public void Confirm(string bank, string reservation) => Confirmed++;

        public void Release(string bank, string reservation) => Released++;

        public void Reverse(string bank, long amount)
        {
        }
    }

    private sealed class WrittenJournal : FlowStandIns.Journal
    {
        public JournalEntry? Entry { get; private set; }

        public override Task<JournalOutcome> AppendAsync(JournalEntry entry, Deadline deadline, CancellationToken cancellationToken)
        {
            Entry = entry;
            return Task.FromResult(JournalOutcome.Written);
        }
    }
}
