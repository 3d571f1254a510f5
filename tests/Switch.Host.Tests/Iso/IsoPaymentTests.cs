using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Iso;

/// <summary>Inquiry and payment end to end: ISO 8583 over a socket, the flow, position actors and the journal in PostgreSQL.</summary>
public class IsoPaymentTests(HostFixture host) : IClassFixture<HostFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Inquiry_answers_the_bill_details_of_the_spec()
    {
        var (account, amount) = await TestData.OpenBill(Postgres, amount: 24_757);
        await using var bank = await host.SignedOnAsync(PlainBank);

        var response = await bank.SendAsync(Inquiry(PlainBank, account), Wait);
        var tags = Field48.Parse(response.GetString(48)!).ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal("00", response.GetString(39));
        Assert.Equal(("ELECT", account, "M*** A***"), (tags["BC"], tags["AN"], tags["NM"]));
        Assert.Equal((amount.ToString("D12"), amount.ToString("D12"), amount.ToString("D12")), (tags["DA"], tags["MN"], tags["MX"]));
        Assert.Equal(("EXACT", "01"), (tags["PR"], tags["NB"]));
    }

    [Fact]
    public async Task Payment_of_the_amount_due_is_approved_journaled_and_pays_the_bill()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        await using var bank = await host.SignedOnAsync(PlainBank);
        var request = Payment(PlainBank, account, amount);

        var response = await bank.SendAsync(request, Wait);
        var tags = Field48.Parse(response.GetString(48)!).ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal("00", response.GetString(39));
        Assert.Equal(6, response.GetString(38)!.Length);
        Assert.Equal(1L, await Scalar<long>("select count(*) from payments where bank_code = $1 and reference = $2 and switch_reference = $3 and response_code = '00'",
            PlainBank, request.GetString(37)!, tags["SR"]));
        Assert.Equal("paid", await Scalar<string>("select status from bills where account_number = $1", account));
    }

    [Fact]
    public async Task Repeat_gets_the_first_answer_and_other_content_under_the_same_key_gets_94()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        await using var bank = await host.SignedOnAsync(PlainBank);
        var request = Payment(PlainBank, account, amount);

        var first = await bank.SendAsync(request, Wait);
        var repeat = await bank.SendAsync(request, Wait);
        var changed = await bank.SendAsync(request.Set(4, (amount + 1).ToString("D12")), Wait);

        Assert.Equal(("00", "00", "94"), (first.GetString(39), repeat.GetString(39), changed.GetString(39)));
        Assert.Equal(first.GetString(48), repeat.GetString(48));
        Assert.Equal(1L, await Scalar<long>("select count(*) from payments where reference = $1 and bank_code = $2", request.GetString(37)!, PlainBank));
    }

    [Fact]
    public async Task Second_payment_of_a_paid_bill_is_B1()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        await using var bank = await host.SignedOnAsync(PlainBank);

        await bank.SendAsync(Payment(PlainBank, account, amount), Wait);
        var again = await bank.SendAsync(Payment(PlainBank, account, amount), Wait);

        Assert.Equal("B1", again.GetString(39));
    }

    [Fact]
    public async Task Simultaneous_payments_of_one_bill_settle_it_once()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        await using var bank = await host.SignedOnAsync(PlainBank);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => bank.SendAsync(Payment(PlainBank, account, amount), Wait)));

        Assert.Equal(1, responses.Count(r => r.GetString(39) == "00"));
        Assert.Equal(9, responses.Count(r => r.GetString(39) == "B1"));
        Assert.Equal(amount, await Scalar<long>("select amount_paid from bills where account_number = $1", account));
    }

    [Fact]
    public async Task Reversal_gives_the_bill_back_and_its_repeat_is_answered_the_same()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        await using var bank = await host.SignedOnAsync(PlainBank);
        var payment = Payment(PlainBank, account, amount);
        Assert.Equal("00", (await bank.SendAsync(payment, Wait)).GetString(39));

        var reversal = await bank.SendAsync(Reversal(payment), Wait);
        var repeat = await bank.SendAsync(Reversal(payment, repeat: true), Wait);
        var payAgain = await bank.SendAsync(Payment(PlainBank, account, amount), Wait);

        Assert.Equal(("0430", "00"), (reversal.MtiText, reversal.GetString(39)));
        Assert.Equal(("0430", "00"), (repeat.MtiText, repeat.GetString(39)));
        Assert.Equal(1L, await Scalar<long>("select count(*) from reversals where reference = $1 and outcome = 'applied'", payment.GetString(37)!));
        Assert.Equal("00", payAgain.GetString(39));
    }

    [Fact]
    public async Task Reversal_frees_the_position_it_held()
    {
        var bankCode = await TestData.Bank(Postgres, cap: 5_000);
        var (first, _) = await TestData.OpenBill(Postgres, amount: 5_000);
        var (second, _) = await TestData.OpenBill(Postgres, amount: 5_000);
        await using var bank = await host.SignedOnAsync(bankCode);
        var payment = Payment(bankCode, first, 5_000);
        Assert.Equal("00", (await bank.SendAsync(payment, Wait)).GetString(39));
        var overCap = await bank.SendAsync(Payment(bankCode, second, 5_000), Wait);

        await bank.SendAsync(Reversal(payment), Wait);
        var fits = await bank.SendAsync(Payment(bankCode, second, 5_000), Wait);

        Assert.Equal(("51", "00"), (overCap.GetString(39), fits.GetString(39)));
    }

    [Fact]
    public async Task Each_refusal_of_the_spec_has_its_code()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        var (expired, expiredAmount) = await TestData.OpenBill(Postgres, expiry: new DateOnly(2025, 1, 1));
        await using var plain = await host.SignedOnAsync(PlainBank);
        await using var signed = await host.SignedOnAsync(MacBank, MacKey);

        var cases = new (string Expected, IsoClient Bank, IsoMessage Request)[]
        {
            ("13", plain, Payment(PlainBank, account, amount - 1)),
            ("13", plain, Payment(PlainBank, account, amount, currency: "400")),
            ("13", plain, Payment(PlainBank, account, amount, currency: "999")),
            ("14", plain, Payment(PlainBank, "12AB", amount)),
            ("14", plain, Payment(PlainBank, "0000099999", amount)),
            ("54", plain, Payment(PlainBank, expired, expiredAmount)),
            ("57", signed, Inquiry(MacBank, account, biller: "TRAFFIC", channel: "IB")),
            ("57", plain, Payment(PlainBank, account, amount, biller: "WATER", channel: "POS")),
            ("61", plain, Payment(PlainBank, account, 5_000_001)),
            ("92", plain, Payment(PlainBank, account, amount, biller: "NOSUCH")),
            ("30", plain, Payment(PlainBank, account, amount, channel: "XYZ")),
            ("30", plain, Payment(PlainBank, account, amount).Set(48, Field48.Build(("BC", "ELECT"), ("BC", "WATER"), ("AN", account), ("CH", "ATM")))),
            ("12", plain, Payment(PlainBank, account, amount).Set(3, "999999")),
        };

        foreach (var (expected, bank, request) in cases)
        {
            var response = await bank.SendAsync(request, Wait);
            Assert.True(expected == response.GetString(39), $"{IsoJson.ToLogLine(request, Adapters.Iso8583.MessageProfile.Spec)} answered {response.GetString(39)}, expected {expected}");
        }
    }

    [Fact]
    public async Task Payment_beyond_the_net_debit_cap_is_51_and_changes_no_bill()
    {
        var bankCode = await TestData.Bank(Postgres, cap: 10_000);
        var (account, amount) = await TestData.OpenBill(Postgres, amount: 10_001);
        await using var bank = await host.SignedOnAsync(bankCode);

        var response = await bank.SendAsync(Payment(bankCode, account, amount), Wait);

        Assert.Equal("51", response.GetString(39));
        Assert.Equal(0L, await Scalar<long>("select amount_paid from bills where account_number = $1", account));
    }

    [Fact]
    public async Task Two_hundred_simultaneous_payments_against_a_cap_for_120_approve_exactly_120()
    {
        var bankCode = await TestData.Bank(Postgres, cap: 120 * 1_000);
        var accounts = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            accounts.Add((await TestData.OpenBill(Postgres, amount: 1_000)).Account);
        }

        await using var bank = await host.SignedOnAsync(bankCode);
        var responses = await Task.WhenAll(accounts.Select(a => bank.SendAsync(Payment(bankCode, a, 1_000), TimeSpan.FromSeconds(30))));

        Assert.Equal(120, responses.Count(r => r.GetString(39) == "00"));
        Assert.Equal(80, responses.Count(r => r.GetString(39) == "51"));
        Assert.Equal(120_000L, await Scalar<long>("select coalesce(sum(amount), 0)::bigint from payments where bank_code = $1 and response_code = '00'", bankCode));
    }

    private Task<T> Scalar<T>(string sql, params object[] parameters) => Postgres.Scalar<T>(sql, parameters);
}
