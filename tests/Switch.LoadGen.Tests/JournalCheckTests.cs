namespace Switch.LoadGen.Tests;

public class JournalCheckTests
{
    private static readonly JournalKey First = new("100001", "LABCD0000001", "20261123");
    private static readonly JournalKey Second = new("100001", "LABCDR2", "");

    private static Ledger LedgerWith(params (JournalKey Key, long Amount, bool Reversed, bool Unknown)[] approvals)
    {
        var ledger = new Ledger(reverses: false);
        foreach (var (key, amount, reversed, unknown) in approvals)
        {
            ledger.Approved(new Approval(key.Bank, key.Reference, key.LocalDate, "TOPUP", amount, Edge.Iso) { Reversed = reversed, ReversalUnknown = unknown }, reversalHandle: "P");
        }

        return ledger;
    }

    [Fact]
    public void Journal_that_matches_every_answer_has_no_differences()
    {
        var ledger = LedgerWith((First, 500, false, false), (Second, 700, true, false));
        var journal = new Dictionary<JournalKey, JournalCheck.Row> { [First] = new(500, false), [Second] = new(700, true) };

        Assert.Empty(JournalCheck.Compare(journal, ledger));
    }

    [Fact]
    public void Missing_approval_other_amount_and_unheard_approval_are_each_reported()
    {
        var ledger = LedgerWith((First, 500, false, false), (Second, 700, false, false));
        var third = new JournalKey("100002", "LABCD0000003", "20261123");
        var journal = new Dictionary<JournalKey, JournalCheck.Row> { [Second] = new(701, false), [third] = new(100, false) };

        var problems = JournalCheck.Compare(journal, ledger);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("100001/LABCD0000001/20261123 was approved but is not in the journal"));
        Assert.Contains(problems, p => p.Contains("approved for 700 but the journal has 701"));
        Assert.Contains(problems, p => p.Contains("100002/LABCD0000003/20261123 is approved in the journal but no approval was received"));
    }

    [Fact]
    public void Reversal_state_must_agree_unless_the_reversal_went_unanswered()
    {
        var ledger = LedgerWith((First, 500, true, false), (Second, 700, false, true));
        var journal = new Dictionary<JournalKey, JournalCheck.Row> { [First] = new(500, false), [Second] = new(700, true) };

        var problem = Assert.Single(JournalCheck.Compare(journal, ledger));

        Assert.Contains("was reversed (00) but the journal does not say so", problem);
    }

    [Fact]
    public void Approval_of_a_payment_that_was_never_answered_is_not_a_difference()
    {
        var ledger = new Ledger(reverses: false);
        ledger.Unanswered[First] = 0;
        var journal = new Dictionary<JournalKey, JournalCheck.Row> { [First] = new(500, false) };

        Assert.Empty(JournalCheck.Compare(journal, ledger));
    }
}
