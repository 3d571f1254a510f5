using System.Collections.Concurrent;
using Switch.Billing;
using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

/// <summary>
/// A repeat never overtakes its original. The parts around the flow are stand-ins here, so the original can be held
/// at an exact point (the biller lookup, before it holds anything else); the edges' tests run them for real.
/// </summary>
public class RepeatOrderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Repeat_arriving_while_its_original_is_held_past_the_timeout_waits_and_hears_the_91_it_was_answered()
    {
        var time = new ManualTime();
        var catalog = new HeldOnceCatalog();
        var journal = new ListJournal(time);
        var flow = new TransactionFlow(catalog, new FlowStandIns.NoBills(), journal, new FlowStandIns.AlwaysRoom(), time, Timeout, TimeSpan.FromMinutes(30), new ReceiptCodes(new byte[32]),
            FlowStandIns.References(time), FlowStandIns.Codes(time));
        var payment = FlowStandIns.TopUpPayment();

        var original = flow.PayAsync(payment, time.GetUtcNow(), CancellationToken.None);
        await catalog.Held.Task;
        time.Advance(Timeout * 2);                       // the bank has been answered 91 and sends the payment again
        // Every stand-in answers synchronously, so a repeat that did not wait for its original would have run to its
        // end inside this call: its task being unfinished here shows it is waiting, with nothing to wait for but time.
        var repeat = flow.PayAsync(payment, time.GetUtcNow(), CancellationToken.None);
        var repeatOvertook = repeat.IsCompleted;
        catalog.Release.SetResult();

        Assert.False(repeatOvertook);
        Assert.Equal(("91", "91"), ((await original).ResponseCode, (await repeat).ResponseCode));
        Assert.Equal("91", Assert.Single(journal.Entries).ResponseCode);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    /// <summary>The first lookup waits until released; later ones answer at once.</summary>
    private sealed class HeldOnceCatalog : IBillerCatalog
    {
        private int _calls;

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<Biller?> FindAsync(string code, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                Held.SetResult();
                await Release.Task;
            }

            return code == FlowStandIns.TopUp.Code ? FlowStandIns.TopUp : null;
        }

        public ValueTask<IReadOnlyList<Biller>> AllAsync(CancellationToken cancellationToken) => new([FlowStandIns.TopUp]);
    }

    /// <summary>First entry per key wins; an approval appended after its approve-by time is kept as 91, as the real journal does.</summary>
    private sealed class ListJournal(TimeProvider time) : FlowStandIns.Journal
    {
        private readonly ConcurrentDictionary<RequestKey, JournalEntry> _entries = new();

        public ICollection<JournalEntry> Entries => _entries.Values;

        public override Task<JournalOutcome> AppendAsync(JournalEntry entry, Deadline deadline, CancellationToken cancellationToken)
        {
            var late = entry.ResponseCode == ResponseCodes.Approved && deadline.ApproveBy < time.GetUtcNow();
            var kept = late ? entry with { ResponseCode = ResponseCodes.Unavailable, SwitchReference = null, ApprovalCode = null } : entry;
            return Task.FromResult(!_entries.TryAdd(entry.Key, kept) ? JournalOutcome.Duplicate : late ? JournalOutcome.TooLate : JournalOutcome.Written);
        }

        public override Task<JournalEntry?> FindAsync(RequestKey key, CancellationToken cancellationToken) => Task.FromResult(_entries.GetValueOrDefault(key));
    }
}
