using System.Text.RegularExpressions;
using FsCheck.Xunit;
using Switch.Billing;
using Switch.Monetary;

namespace Switch.Core.Tests.Billing;

public class PaymentCheckTests
{
    private const int Sar = 682;
    private static readonly Currency Riyal = Currency.FromNumeric(Sar)!;
    private static readonly DateOnly Today = new(2026, 11, 22);

    private static readonly Biller Electricity = new(
        "ELECT", "Electricity", "الكهرباء", "electricity", Riyal, PresentmentMode.Hosted, PaymentRule.Exact,
        MinimumPayment: Sr(0), MaximumPayment: Sr(0), TransactionLimit: Sr(5_000_000),
        new Regex("^[0-9]{10}$"), new HashSet<string> { "100001" }, new HashSet<Channel> { Channel.Atm, Channel.Ib });

    private static Money Sr(long minor) => new(minor, Riyal);

    private static Bill Open(long id, long due, DateOnly dueDate, long paid = 0, string number = "B1") =>
        new(id, "ELECT", "1234567890", number, "Mohammad Ali", Sr(due), Sr(paid), dueDate, dueDate.AddMonths(2), BillStatus.Open);

    [Fact]
    public void Unknown_biller_is_92_and_comes_before_anything_else() =>
        Assert.Equal("92", PaymentCheck.Admit(null, "100001", Channel.Atm, "x"));

    [Theory]
    [InlineData("100002", Channel.Atm)]
    [InlineData("100001", Channel.Pos)]
    public void Bank_or_channel_not_enrolled_is_57(string bank, Channel channel) =>
        Assert.Equal("57", PaymentCheck.Admit(Electricity, bank, channel, "1234567890"));

    [Fact]
    public void Account_not_matching_the_biller_pattern_is_14() =>
        Assert.Equal("14", PaymentCheck.Admit(Electricity, "100001", Channel.Atm, "12AB"));

    [Fact]
    public void Enrolled_bank_on_an_enrolled_channel_is_admitted() =>
        Assert.Null(PaymentCheck.Admit(Electricity, "100001", Channel.Ib, "1234567890"));

    [Fact]
    public void A_biller_in_a_planned_maintenance_window_is_91_only_inside_it()
    {
        var from = new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);
        var biller = Electricity with { Maintenance = [new MaintenanceWindow(from, from.AddHours(2), "closing")] };

        Assert.Null(PaymentCheck.Admit(biller, "100001", Channel.Ib, "1234567890", from.AddTicks(-1)));
        Assert.Equal("91", PaymentCheck.Admit(biller, "100001", Channel.Ib, "1234567890", from));
        Assert.Equal("91", PaymentCheck.Admit(biller, "100001", Channel.Ib, "1234567890", from.AddHours(2).AddTicks(-1)));
        Assert.Null(PaymentCheck.Admit(biller, "100001", Channel.Ib, "1234567890", from.AddHours(2)));
        Assert.Equal("closing", biller.MaintenanceAt(from.AddHours(1))?.Reason);
    }

    [Fact]
    public void Enrolment_and_account_are_refused_before_maintenance_is_told()
    {
        var now = new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);
        var biller = Electricity with { Maintenance = [new MaintenanceWindow(now.AddHours(-1), now.AddHours(1))] };

        Assert.Equal("57", PaymentCheck.Admit(biller, "999999", Channel.Ib, "1234567890", now));
        Assert.Equal("14", PaymentCheck.Admit(biller, "100001", Channel.Ib, "12AB", now));
    }

    [Fact]
    public void Oldest_open_bill_is_chosen_when_no_bill_number_is_given()
    {
        Bill[] bills = [Open(3, 100, Today.AddDays(10), number: "N3"), Open(1, 100, Today.AddDays(-5), paid: 100, number: "N1"), Open(2, 100, Today, number: "N2")];

        Assert.Equal("N2", PaymentCheck.Choose(bills, null)!.BillNumber);
        Assert.Equal("N1", PaymentCheck.Choose(bills, "N1")!.BillNumber);
        Assert.Null(PaymentCheck.Choose(bills, "N9"));
    }

    [Fact]
    public void With_every_bill_paid_the_latest_is_chosen_so_the_answer_is_nothing_due()
    {
        Bill[] bills = [Open(1, 100, Today.AddMonths(-2), paid: 100) with { Status = BillStatus.Paid }, Open(2, 100, Today.AddMonths(-1), paid: 100) with { Status = BillStatus.Paid }];

        var chosen = PaymentCheck.Choose(bills, null);

        Assert.Equal(2, chosen!.Id);
        Assert.Equal("B1", PaymentCheck.Refuse(Electricity, chosen, Sr(100), Today));
    }

    [Theory]
    [InlineData(0, Sar, "13")]
    [InlineData(-5, Sar, "13")]
    [InlineData(15_000, 400, "13")]
    [InlineData(5_000_001, 400, "13")]
    [InlineData(5_000_001, Sar, "61")]
    public void Amount_and_currency_are_checked_before_the_bill(long amount, int currency, string expected) =>
        Assert.Equal(expected, PaymentCheck.Refuse(Electricity, Open(1, 15_000, Today), new Money(amount, Currency.FromNumeric(currency)!), Today));

    [Fact]
    public void No_bill_is_14_and_an_expired_bill_is_54()
    {
        Assert.Equal("14", PaymentCheck.Refuse(Electricity, null, Sr(15_000), Today));
        Assert.Equal("54", PaymentCheck.Refuse(Electricity, Open(1, 15_000, Today.AddMonths(-3)), Sr(15_000), Today));
    }

    [Theory]
    [InlineData(PaymentRule.Exact, 15_000, null)]
    [InlineData(PaymentRule.Exact, 14_999, "13")]
    [InlineData(PaymentRule.Exact, 15_001, "13")]
    [InlineData(PaymentRule.Partial, 5_000, null)]
    [InlineData(PaymentRule.Partial, 4_999, "13")]
    [InlineData(PaymentRule.Partial, 15_001, "13")]
    [InlineData(PaymentRule.Overpay, 20_000, null)]
    [InlineData(PaymentRule.Overpay, 14_999, "13")]
    [InlineData(PaymentRule.Overpay, 20_001, "13")]
    [InlineData(PaymentRule.Any, 1, null)]
    [InlineData(PaymentRule.Any, 4_000_000, null)]
    public void Each_payment_rule_accepts_its_range(PaymentRule rule, long amount, string? expected)
    {
        var biller = Electricity with { Rule = rule, MinimumPayment = Sr(5_000), MaximumPayment = Sr(20_000) };

        Assert.Equal(expected, PaymentCheck.Refuse(biller, Open(1, 15_000, Today), Sr(amount), Today));
    }

    [Fact]
    public void Partial_minimum_never_exceeds_what_is_outstanding()
    {
        var biller = Electricity with { Rule = PaymentRule.Partial, MinimumPayment = Sr(5_000) };

        Assert.Null(PaymentCheck.Refuse(biller, Open(1, 15_000, Today, paid: 12_000), Sr(3_000), Today));
        Assert.Equal(new AcceptedRange(Sr(3_000), Sr(3_000)), PaymentCheck.Range(biller, Sr(3_000)));
    }

    [Fact]
    public void Prepaid_biller_takes_any_positive_amount_within_the_limit_without_a_bill()
    {
        var prepaid = Electricity with { Mode = PresentmentMode.Prepaid, Rule = PaymentRule.Any };

        Assert.Null(PaymentCheck.Refuse(prepaid, null, Sr(777), Today));
        Assert.Equal("61", PaymentCheck.Refuse(prepaid, null, Sr(5_000_001), Today));
    }

    [Property(MaxTest = 500)]
    public void Every_amount_inside_the_range_is_accepted_and_every_amount_outside_refused(int rule, int outstanding, int amount)
    {
        var biller = Electricity with { Rule = (PaymentRule)Math.Abs(rule % 4), MinimumPayment = Sr(5_000), MaximumPayment = Sr(20_000) };
        var bill = Open(1, Math.Abs(outstanding % 100_000) + 1, Today);
        var paid = Math.Abs(amount % 200_000) + 1;
        var range = PaymentCheck.Range(biller, bill.Outstanding);

        var refusal = PaymentCheck.Refuse(biller, bill, Sr(paid), Today);

        var inside = Sr(paid) >= range.Minimum && Sr(paid) <= range.Maximum && Sr(paid) <= biller.TransactionLimit;
        Assert.Equal(inside, refusal is null);
    }
}
