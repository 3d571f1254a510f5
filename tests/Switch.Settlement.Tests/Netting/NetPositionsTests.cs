using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Switch.Monetary;
using Switch.Settlement.Netting;

namespace Switch.Settlement.Tests.Netting;

public class NetPositionsTests
{
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;

    private static readonly string[] Banks = ["100001", "100002", "100003", "100004"];

    private static readonly string[] Billers = ["ELECT", "WATER", "TELCO", "TOPUP", "TRAFFIC"];

    /// <summary>Billers settle through banks, except TRAFFIC, which names none.</summary>
    private static string? SettlementBankOf(string biller) => biller switch
    {
        "ELECT" or "WATER" => "100003",
        "TELCO" => "100001",
        "TOPUP" => "100004",
        _ => null,
    };

    private static WindowFlow Flow(string bank, string biller, long paid, long reversed = 0) => new(bank, biller, new Money(paid, Sar), new Money(reversed, Sar));

    private static Arbitrary<WindowFlow[]> Flows() =>
        (from bank in Gen.Elements(Banks)
         from biller in Gen.Elements(Billers)
         from paid in Gen.Choose(0, 1_000_000_000).Select(v => (long)v * 1_000)
         from reversed in Gen.Choose(0, 1_000_000_000).Select(v => (long)v)
         select Flow(bank, biller, paid, reversed)).ArrayOf().ToArbitrary();

    [Property]
    public Property Net_positions_of_any_window_sum_to_zero_and_debits_equal_credits() =>
        Prop.ForAll(Flows(), flows =>
        {
            var netting = NetPositions.Net(Sar, flows, SettlementBankOf);
            return netting.NetSum.Minor == 0
                && netting.TotalDebit == netting.TotalCredit
                && netting.TotalDebit.Minor == flows.Sum(f => f.Paid.Minor + f.Reversed.Minor)
                && netting.Positions.Select(p => p.Participant).Distinct().Count() == netting.Positions.Count;
        });

    [Property]
    public Property A_paying_banks_position_is_what_it_is_owed_less_what_its_customers_paid() =>
        Prop.ForAll(Flows(), flows =>
        {
            var netting = NetPositions.Net(Sar, flows, SettlementBankOf);
            return Banks.All(bank =>
            {
                var expected = flows.Where(f => SettlementBankOf(f.Biller) == bank).Sum(f => f.Paid.Minor - f.Reversed.Minor)
                    - flows.Where(f => f.PayingBank == bank).Sum(f => f.Paid.Minor - f.Reversed.Minor);
                var position = netting.Positions.SingleOrDefault(p => p.Participant == Participant.Bank(bank));
                return (position?.Net.Minor ?? 0) == expected;
            });
        });

    [Fact]
    public void Payers_pay_in_and_settlement_banks_are_paid_out()
    {
        var netting = NetPositions.Net(Sar, [
            Flow("100001", "ELECT", 50_000, reversed: 5_000),
            Flow("100002", "ELECT", 20_000),
            Flow("100002", "TELCO", 7_000),
            Flow("100003", "TRAFFIC", 3_000)], SettlementBankOf);

        Assert.Equal(
            [("bank:100001", -50_000L + 5_000 + 7_000), ("bank:100002", -27_000L), ("bank:100003", 65_000L - 3_000), ("biller:TRAFFIC", 3_000L)],
            netting.Positions.Select(p => (p.Participant.ToString(), p.Net.Minor)));
        Assert.Equal(0, netting.NetSum.Minor);
        Assert.Equal(85_000, netting.TotalDebit.Minor);
    }

    [Fact]
    public void A_flow_in_another_currency_is_refused()
    {
        Assert.Throws<ArgumentException>(() => NetPositions.Net(Sar, [new WindowFlow("100001", "ELECT", new Money(1, Currency.FromAlpha("JOD")!), new Money(0, Currency.FromAlpha("JOD")!))], SettlementBankOf));
    }
}
