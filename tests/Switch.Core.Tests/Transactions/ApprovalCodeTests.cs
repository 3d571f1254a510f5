using System.Text.RegularExpressions;
using Switch.Billing;
using Switch.Positions;
using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

public class ApprovalCodeTests
{
    private static readonly Biller TopUp = new("TOPUP", "Top-up", "شحن", "telecom", 682, PresentmentMode.Prepaid, PaymentRule.Any, 0, 0, 1_000_000,
        new Regex("^[0-9]{10}$"), new HashSet<string> { "100001" }, new HashSet<Channel> { Channel.Mb });

    [Fact]
    public void Codes_are_six_letters_and_digits_drawn_at_random()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => ApprovalCode.Next()).ToList();

        Assert.All(codes, code => Assert.Matches("^[A-Z0-9]{6}$", code));
        Assert.All(Enumerable.Range(0, 6), i => Assert.True(codes.Select(c => c[i]).Distinct().Count() >= 30, $"position {i} barely varies"));
    }

    [Fact]
    public async Task Approval_whose_code_is_taken_is_appended_again_with_another_code_and_approved()
    {
        var journal = new CodeTakenOnceJournal();
        var flow = new TransactionFlow(new Catalog(), new NoBills(), journal, new AlwaysRoom(), TimeProvider.System, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30), new ReceiptCodes(new byte[32]));
        var payment = new PayBill(new RequestKey("100001", "000000000001", "1123"), "TOPUP", "0551234567", null, Channel.Mb, 5_000, 682, null);

        var reply = await flow.PayAsync(payment, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal("00", reply.ResponseCode);
        Assert.Equal(2, journal.Codes.Count);
        Assert.NotEqual(journal.Codes[0], journal.Codes[1]);
        Assert.Equal(journal.Codes[1], reply.ApprovalCode);
    }

    /// <summary>Says the first approval's code is taken, then writes.</summary>
    private sealed class CodeTakenOnceJournal : IPaymentJournal
    {
        public List<string?> Codes { get; } = [];

        public Task<JournalOutcome> AppendAsync(JournalEntry entry, Deadline deadline, CancellationToken cancellationToken)
        {
            Codes.Add(entry.ApprovalCode);
            return Task.FromResult(Codes.Count == 1 ? JournalOutcome.ApprovalCodeTaken : JournalOutcome.Written);
        }

        public Task<JournalEntry?> FindAsync(RequestKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeclineLateApprovalAsync(RequestKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ReversalResult> ReverseAsync(ReversalEntry reversal, TimeSpan timeLimit, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<ReversalException>> ListReversalExceptionsAsync(string? bank, string? biller, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<PaymentRecord?> FindRecordAsync(RequestKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PaymentRecord?> FindByReferenceAsync(string bank, string switchReference, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class Catalog : IBillerCatalog
    {
        public ValueTask<Biller?> FindAsync(string code, CancellationToken cancellationToken) => new(code == TopUp.Code ? TopUp : null);

        public ValueTask<IReadOnlyList<Biller>> AllAsync(CancellationToken cancellationToken) => new([TopUp]);
    }

    private sealed class NoBills : IBillStore
    {
        public Task<IReadOnlyList<Bill>> FindAsync(string billerCode, string accountNumber, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Bill>>([]);
    }

    private sealed class AlwaysRoom : IPositions
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
}
