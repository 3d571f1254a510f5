using System.Net;
using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;
using static Switch.Host.Tests.Rest.RestClient;

namespace Switch.Host.Tests.Rest;

/// <summary>GET /api/v1/payments/{paymentId}, ?idempotencyKey=, and POST .../reversal, across both edges.</summary>
[Collection(RestCollection.Name)]
public class RestLookupAndReversalTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    private RestClient Bank(string key = RestBanks.PlainKey) => new(host.HttpPort, key);

    [Fact]
    public async Task Payment_is_found_by_payment_id_and_by_idempotency_key_with_the_same_body()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = Bank();
        var key = NewKey();
        var paid = await bank.PayAsync(key, PaymentBody(account, "247.57"));

        var byId = await bank.GetAsync($"payments/{paid["paymentId"]}");
        var byKey = await bank.GetAsync($"payments?idempotencyKey={key}");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (byId.Status, byKey.Status));
        Assert.Equal(paid.Text, byId.Text);
        Assert.Equal(paid.Text, byKey.Text);
    }

    [Fact]
    public async Task Declined_payment_is_found_by_key_as_declined_without_a_payment_id()
    {
        using var bank = Bank();
        var key = NewKey();
        await bank.PayAsync(key, PaymentBody("0000099999", "10.00"));

        var answer = await bank.GetAsync($"payments?idempotencyKey={key}");

        Assert.Equal((HttpStatusCode.OK, "declined", "14", null), (answer.Status, answer["status"], answer.Code, answer["paymentId"]));
    }

    [Fact]
    public async Task Unknown_payment_id_or_key_is_404_25_and_a_missing_key_is_400_30()
    {
        using var bank = Bank();

        var byId = await bank.GetAsync("payments/SW00000000000000");
        var byKey = await bank.GetAsync($"payments?idempotencyKey={NewKey()}");
        var noKey = await bank.GetAsync("payments");

        Assert.Equal((HttpStatusCode.NotFound, "25"), (byId.Status, byId.Code));
        Assert.Equal((HttpStatusCode.NotFound, "25"), (byKey.Status, byKey.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "30"), (noKey.Status, noKey.Code));
    }

    [Fact]
    public async Task Payment_made_over_iso_is_found_by_its_payment_id_over_rest_by_the_same_bank_only()
    {
        var (account, amount) = await TestData.OpenBill(Postgres, amount: 24_757);
        await using var iso = await host.SignedOnAsync(PlainBank);
        var response = await iso.SendAsync(Payment(PlainBank, account, amount), TimeSpan.FromSeconds(10));
        var switchReference = Field48.Parse(response.GetString(48)!).Single(e => e.Key == "SR").Value;
        using var plain = Bank();
        using var macBank = Bank(RestBanks.MacBankKey);

        var mine = await plain.GetAsync($"payments/{switchReference}");
        var theirs = await macBank.GetAsync($"payments/{switchReference}");

        Assert.Equal((HttpStatusCode.OK, "approved", "247.57", "ATM", null), (mine.Status, mine["status"], mine["amount"], mine["channel"], mine["idempotencyKey"]));
        Assert.Equal(response.GetString(38), mine["approvalCode"]);
        Assert.Equal((HttpStatusCode.NotFound, "25"), (theirs.Status, theirs.Code));
    }

    [Fact]
    public async Task Reversed_payment_shows_reversed_its_repeat_is_200_and_the_bill_is_due_again()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = Bank();
        var paid = await bank.PayAsync(NewKey(), PaymentBody(account, "247.57"));
        var paymentId = paid["paymentId"]!;

        var reversal = await bank.ReverseAsync(paymentId, """{"amount": "247.57", "currency": "SAR"}""");
        var repeat = await bank.ReverseAsync(paymentId);
        var status = await bank.GetAsync($"payments/{paymentId}");
        var payAgain = await bank.PayAsync(NewKey(), PaymentBody(account, "247.57"));

        Assert.Equal((HttpStatusCode.OK, "reversed", "00", paymentId), (reversal.Status, reversal["status"], reversal.Code, reversal["paymentId"]));
        Assert.Equal((HttpStatusCode.OK, "reversed", "00"), (repeat.Status, repeat["status"], repeat.Code));
        Assert.Equal(("reversed", "00"), (status["status"], status.Code));
        Assert.Equal(HttpStatusCode.Created, payAgain.Status);
    }

    [Fact]
    public async Task Payment_made_over_iso_can_be_reversed_over_rest()
    {
        var (account, amount) = await TestData.OpenBill(Postgres, amount: 24_757);
        await using var iso = await host.SignedOnAsync(PlainBank);
        var payment = Payment(PlainBank, account, amount);
        var response = await iso.SendAsync(payment, TimeSpan.FromSeconds(10));
        using var bank = Bank();

        var reversal = await bank.ReverseAsync(Field48.Parse(response.GetString(48)!).Single(e => e.Key == "SR").Value);
        var isoRepeat = await iso.SendAsync(Reversal(payment, repeat: true), TimeSpan.FromSeconds(10));

        Assert.Equal((HttpStatusCode.OK, "00"), (reversal.Status, reversal.Code));
        Assert.Equal("00", isoRepeat.GetString(39));
        Assert.Equal("rest", await Scalar<string>("select edge from reversals where reference = $1 and outcome = 'applied'", payment.GetString(37)!));
    }

    [Fact]
    public async Task Reversal_refusals_have_their_codes_and_http_statuses()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = Bank();
        var paymentId = (await bank.PayAsync(NewKey(), PaymentBody(account, "247.57")))["paymentId"]!;

        var otherAmount = await bank.ReverseAsync(paymentId, """{"amount": "247.56", "currency": "SAR"}""");
        var otherCurrency = await bank.ReverseAsync(paymentId, """{"amount": "247.570", "currency": "JOD"}""");
        var malformed = await bank.ReverseAsync(paymentId, """{"amount": "1e3", "currency": "SAR"}""");
        var amountAlone = await bank.ReverseAsync(paymentId, """{"amount": "247.57"}""");
        var unknown = await bank.ReverseAsync("SW00000000000000");
        await Scalar<int>("update payments set created_at = now() - interval '2 hours' where switch_reference = $1 returning 1", paymentId);
        var tooLate = await bank.ReverseAsync(paymentId);
        var tooLateAgain = await bank.ReverseAsync(paymentId);

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "13"), (otherAmount.Status, otherAmount.Code));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "13"), (otherCurrency.Status, otherCurrency.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "30"), (malformed.Status, malformed.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "30"), (amountAlone.Status, amountAlone.Code));
        Assert.Equal((HttpStatusCode.NotFound, "25"), (unknown.Status, unknown.Code));
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (tooLate.Status, tooLate.Code));
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (tooLateAgain.Status, tooLateAgain.Code));
        Assert.Equal("approved", (await bank.GetAsync($"payments/{paymentId}"))["status"]);
        Assert.Equal("exception past_time_limit rest", await Scalar<string>(
            "select outcome || ' ' || reason || ' ' || edge from reversals r join payments p using (bank_code, reference, local_date) where p.switch_reference = $1", paymentId));
    }

    [Fact]
    public async Task Payment_made_over_rest_is_reversed_by_a_0420_naming_its_key_in_37_and_its_date_in_13()
    {
        var (bankCode, apiKey) = await RestBanks.Create(Postgres, cap: 24_757);
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = Bank(apiKey);
        var key = "R" + Guid.NewGuid().ToString("N")[..11].ToUpperInvariant();
        var paymentId = (await bank.PayAsync(key, PaymentBody(account, "247.57")))["paymentId"]!;
        var madeOn = await Scalar<string>("select to_char(created_at at time zone 'UTC', 'MMDD') from payments where switch_reference = $1", paymentId);
        // The 0200 this bank never sent: the 0420 names the payment by 32, 37 and 13 alone (no STAN or field 7 was journaled).
        var original = new IsoMessage("0200").Set(3, "500000").Set(4, 24_757L.ToString("D12")).Set(7, "0101000000").Set(11, "000000")
            .Set(13, madeOn).Set(32, bankCode).Set(37, key).Set(49, "682");
        await using var iso = await host.SignedOnAsync(bankCode);

        var advice = await iso.SendAsync(Reversal(original), TimeSpan.FromSeconds(10));
        var status = await bank.GetAsync($"payments/{paymentId}");
        var restRepeat = await bank.ReverseAsync(paymentId);

        Assert.Equal(("0430", "00"), (advice.MtiText, advice.GetString(39)));
        Assert.Equal("reversed", status["status"]);
        Assert.Equal((HttpStatusCode.OK, "00"), (restRepeat.Status, restRepeat.Code));
        Assert.Equal("iso", await Scalar<string>("select edge from reversals where bank_code = $1 and reference = $2 and local_date = ''", bankCode, key));
        Assert.Equal(0L, (await host.PositionWhenSettledAsync(bankCode)).Committed);
        Assert.Equal(0L, await Scalar<long>("select committed from bank_positions where bank_code = $1", bankCode));
        Assert.Equal(HttpStatusCode.Created, (await bank.PayAsync(NewKey(), PaymentBody(account, "247.57"))).Status);
    }

    [Fact]
    public async Task Rest_reversal_after_an_iso_advice_of_another_amount_is_409_94_and_reverses_nothing()
    {
        var (account, amount) = await TestData.OpenBill(Postgres, amount: 24_757);
        await using var iso = await host.SignedOnAsync(PlainBank);
        var payment = Payment(PlainBank, account, amount);
        var response = await iso.SendAsync(payment, TimeSpan.FromSeconds(10));
        var paymentId = Field48.Parse(response.GetString(48)!).Single(e => e.Key == "SR").Value;
        Assert.Equal("00", (await iso.SendAsync(Reversal(payment).Set(4, (amount - 1).ToString("D12")), TimeSpan.FromSeconds(10))).GetString(39));
        using var bank = Bank();

        var reversal = await bank.ReverseAsync(paymentId);

        Assert.Equal((HttpStatusCode.Conflict, "94"), (reversal.Status, reversal.Code));
        Assert.Equal("approved", (await bank.GetAsync($"payments/{paymentId}"))["status"]);
        Assert.Equal("paid", await Scalar<string>("select status from bills where account_number = $1", account));
    }

    private Task<T> Scalar<T>(string sql, params object[] parameters) => Postgres.Scalar<T>(sql, parameters);
}
