using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

public class ApprovalCodeTests
{
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
        var flow = new TransactionFlow(new FlowStandIns.Catalog(), new FlowStandIns.NoBills(), journal, new FlowStandIns.AlwaysRoom(), TimeProvider.System, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30), new ReceiptCodes(new byte[32]));
        var payment = FlowStandIns.TopUpPayment();

        var reply = await flow.PayAsync(payment, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal("00", reply.ResponseCode);
        Assert.Equal(2, journal.Codes.Count);
        Assert.NotEqual(journal.Codes[0], journal.Codes[1]);
        Assert.Equal(journal.Codes[1], reply.ApprovalCode);
    }

    /// <summary>Says the first approval's code is taken, then writes.</summary>
    private sealed class CodeTakenOnceJournal : FlowStandIns.Journal
    {
        public List<string?> Codes { get; } = [];

        public override Task<JournalOutcome> AppendAsync(JournalEntry entry, Deadline deadline, CancellationToken cancellationToken)
        {
            Codes.Add(entry.ApprovalCode);
            return Task.FromResult(Codes.Count == 1 ? JournalOutcome.ApprovalCodeTaken : JournalOutcome.Written);
        }
    }
}
