using System.Text.RegularExpressions;
using Switch.Billing;
using Switch.Monetary;
using Switch.Positions;
using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

/// <summary>
/// Stand-ins for what surrounds the transaction flow, shared by the flow's unit tests: one prepaid biller, no bills,
/// always room under the cap, and a journal whose members fail unless a test overrides the ones it needs.
/// </summary>
internal static class FlowStandIns
{
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;

    public static readonly Biller TopUp = new("TOPUP", "Top-up", "شحن", "telecom", Sar, PresentmentMode.Prepaid, PaymentRule.Any,
        Money.Zero(Sar), Money.Zero(Sar), new Money(1_000_000, Sar),
        new Regex("^[0-9]{10}$"), new HashSet<string> { "100001" }, new HashSet<Channel> { Channel.Mb });

    public static PayBill TopUpPayment(string reference = "000000000001") =>
        new(new RequestKey("100001", reference, "20261123"), TopUp.Code, "0551234567", null, Channel.Mb, new Money(5_000, Sar), null);

    public static SwitchReferences References(TimeProvider time) => new(1, time);

    public static ApprovalCodes Codes(TimeProvider time) => new(new CountingBlocks(), () => new byte[32], time);

    /// <summary>The approval code counters in memory: one per bank and day, shared by every dispenser given this instance.</summary>
    public sealed class CountingBlocks : IApprovalCodeBlocks
    {
        private readonly Dictionary<(string, DateOnly), long> _taken = [];

        public List<(string Bank, DateOnly Day)> Taken { get; } = [];

        public Task<long> TakeAsync(string bank, DateOnly day, int size, CancellationToken cancellationToken)
        {
            lock (_taken)
            {
                Taken.Add((bank, day));
                var start = _taken.GetValueOrDefault((bank, day));
                _taken[(bank, day)] = start + size;
                return Task.FromResult(start);
            }
        }
    }

    public sealed class Catalog : IBillerCatalog
    {
        public ValueTask<Biller?> FindAsync(string code, CancellationToken cancellationToken) => new(code == TopUp.Code ? TopUp : null);

        public ValueTask<IReadOnlyList<Biller>> AllAsync(CancellationToken cancellationToken) => new([TopUp]);
    }

    public sealed class NoBills : IBillStore
    {
        public Task<IReadOnlyList<Bill>> FindAsync(string billerCode, string accountNumber, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Bill>>([]);
    }

    public sealed class AlwaysRoom : IPositions
    {
        public Task<bool> ReserveAsync(string bank, string reservation, long amount, DateTimeOffset deadline, CancellationToken cancellationToken) => Task.FromResult(true);

        public void Confirm(string bank, string reservation)
        {
        }

        public void Release(string bank, string reservation)
        {
        }

        public void Reverse(string bank, long amount)
        {
        }
    }

    /// <summary>A journal in which every member a test does not override fails: the test then uses more than it says.</summary>
    public abstract class Journal : IPaymentJournal
    {
        public abstract Task<JournalOutcome> AppendAsync(JournalEntry entry, Deadline deadline, CancellationToken cancellationToken);

        public virtual Task<JournalEntry?> FindAsync(RequestKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeclineLateApprovalAsync(RequestKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ReversalResult> ReverseAsync(ReversalEntry reversal, TimeSpan timeLimit, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<ReversalException>> ListReversalExceptionsAsync(string? bank, string? biller, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<PaymentRecord?> FindRecordAsync(RequestKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PaymentRecord?> FindByReferenceAsync(string bank, string switchReference, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
