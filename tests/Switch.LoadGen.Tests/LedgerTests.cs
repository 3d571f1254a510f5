namespace Switch.LoadGen.Tests;

public class LedgerTests
{
    private static Approval Approval(int n) => new("100001", $"LABCD{n:D7}", "1123", "TOPUP", 500, Edge.Iso);

    [Fact]
    public void Run_without_reversals_keeps_every_approval_for_the_check_but_nothing_to_reverse()
    {
        var ledger = new Ledger(reverses: false);

        ledger.Approved(Approval(1), reversalHandle: "P1");

        Assert.Single(ledger.Approvals);
        Assert.Null(ledger.NextToReverse());
    }

    [Fact]
    public void Reversible_approvals_are_handed_out_in_order_with_their_handle_up_to_the_limit()
    {
        var ledger = new Ledger(reverses: true);
        for (var n = 0; n < 10_005; n++)
        {
            ledger.Approved(Approval(n), reversalHandle: $"P{n}");
        }

        var first = ledger.NextToReverse();
        var handedOut = 1 + Enumerable.Range(0, 10_010).Count(_ => ledger.NextToReverse() is not null);

        Assert.Equal(10_005, ledger.Approvals.Count);
        Assert.Equal(("LABCD0000000", "P0"), (first!.Original.Reference, first.Handle));
        Assert.Equal(10_000, handedOut);
    }
}
