namespace Switch.LoadGen.Tests;

public class TrafficMixTests
{
    [Fact]
    public void Bench_mix_keeps_its_proportions()
    {
        var mix = TrafficMix.Bench("100001", inquiryPercent: 20, invalidPercent: 5, reversalPercent: 0, new Ledger(reverses: false));
        var random = new Random(8583);

        var operations = Enumerable.Range(0, 100_000).Select(_ => mix.Next(random)).ToList();

        Assert.InRange(operations.Count(o => o is Inquiry), 19_000, 21_000);
        Assert.InRange(operations.Count(o => o is Payment { Amount: 0 }), 4_500, 5_500);
        Assert.All(operations.OfType<Payment>(), p => Assert.Equal(("100001", "TOPUP"), (p.Bank, p.Biller)));
    }

    [Fact]
    public void Reversal_takes_each_approval_once_and_gives_way_to_a_top_up_when_none_is_left()
    {
        var ledger = new Ledger(reverses: true);
        var approval = new Approval("100001", "LABCD0000001", "1123", "TOPUP", 500, Edge.Iso);
        ledger.Approved(approval, reversalHandle: "P1");
        var mix = TrafficMix.Bench("100001", inquiryPercent: 0, invalidPercent: 0, reversalPercent: 100, ledger);

        var first = mix.Next(new Random(1));
        var second = mix.Next(new Random(2));

        Assert.Same(approval, Assert.IsType<Reversal>(first).Original);
        Assert.Equal("TOPUP", Assert.IsType<Payment>(second).Biller);
    }

    [Fact]
    public void Demo_mix_pays_each_open_bill_once_with_its_amount_and_sends_the_not_enrolled_bank_to_traffic()
    {
        var bills = new OpenBills([new("ELECT", "0000000005", 39_595), new("WATER", "0000000006", 12_345)]);
        var mix = TrafficMix.Demo(["100001", "100002"], notEnrolledBank: "100002", bills, new Ledger(reverses: false));
        var random = new Random(42);

        var payments = Enumerable.Range(0, 20_000).Select(_ => mix.Next(random)).OfType<Payment>().ToList();

        Assert.Single(payments, p => p is { Biller: "ELECT", Account: "0000000005", Amount: 39_595 });
        Assert.Single(payments, p => p is { Biller: "WATER", Account: "0000000006", Amount: 12_345 });
        Assert.All(payments.Where(p => p.Biller == "TRAFFIC"), p => Assert.Equal("100002", p.Bank));
        Assert.Equal(0, bills.Left);
    }
}
