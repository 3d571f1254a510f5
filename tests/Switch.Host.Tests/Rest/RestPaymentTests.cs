using System.Net;
using Npgsql;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Rest.RestClient;

namespace Switch.Host.Tests.Rest;

/// <summary>POST /api/v1/payments end to end: every refusal code of the spec, money text, idempotency, against the real host and PostgreSQL.</summary>
[Collection(RestCollection.Name)]
public class RestPaymentTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    private RestClient Bank(string key = RestBanks.PlainKey) => new(host.HttpPort, key);

    [Fact]
    public async Task Payment_of_the_amount_due_is_201_with_location_journaled_and_pays_the_bill()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = Bank();
        var key = NewKey();

        var answer = await bank.PayAsync(key, PaymentBody(account, "247.57"));

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal(("approved", "00", "247.57", "SAR", "IB", key), (answer["status"], answer.Code, answer["amount"], answer["currency"], answer["channel"], answer["idempotencyKey"]));
        Assert.Equal($"/api/v1/payments/{answer["paymentId"]}", answer.Headers.Location!.ToString());
        Assert.Matches("^[A-Z0-9]{6}$", answer["approvalCode"]);
        Assert.Equal(await Scalar<string>("select approval_code from payments where switch_reference = $1", answer["paymentId"]!), answer["approvalCode"]);
        Assert.False(answer.Replayed);
        Assert.Equal(1L, await Scalar<long>("select count(*) from payments where bank_code = '100001' and reference = $1 and local_date = '' and switch_reference = $2 and amount = 24757",
            key, answer["paymentId"]!));
        Assert.Equal("paid", await Scalar<string>("select status from bills where account_number = $1", account));
    }

    [Fact]
    public async Task Each_refusal_of_the_spec_has_its_code_and_http_status()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        var (expired, _) = await TestData.OpenBill(Postgres, amount: 5_000, expiry: new DateOnly(2025, 1, 1));
        var (paid, _) = await TestData.OpenBill(Postgres, amount: 5_000);
        using var plain = Bank();
        using var macBank = Bank(RestBanks.MacBankKey);
        Assert.Equal(HttpStatusCode.Created, (await plain.PayAsync(NewKey(), PaymentBody(paid, "50.00"))).Status);

        var cases = new (string Code, HttpStatusCode Status, RestClient Bank, string Body)[]
        {
            ("13", HttpStatusCode.UnprocessableEntity, plain, PaymentBody(account, "247.56").ToJsonString()),
            ("13", HttpStatusCode.UnprocessableEntity, plain, PaymentBody(account, "247.570", currency: "JOD").ToJsonString()),
            ("14", HttpStatusCode.NotFound, plain, PaymentBody("12AB", "247.57").ToJsonString()),
            ("14", HttpStatusCode.NotFound, plain, PaymentBody("0000099999", "247.57").ToJsonString()),
            ("54", HttpStatusCode.UnprocessableEntity, plain, PaymentBody(expired, "50.00").ToJsonString()),
            ("57", HttpStatusCode.Forbidden, macBank, PaymentBody(account, "247.57", biller: "TRAFFIC").ToJsonString()),
            ("57", HttpStatusCode.Forbidden, plain, PaymentBody(account, "247.57", biller: "WATER", channel: "POS").ToJsonString()),
            ("61", HttpStatusCode.UnprocessableEntity, plain, PaymentBody(account, "50000.01").ToJsonString()),
            ("92", HttpStatusCode.NotFound, plain, PaymentBody(account, "247.57", biller: "NOSUCH").ToJsonString()),
            ("B1", HttpStatusCode.UnprocessableEntity, plain, PaymentBody(paid, "50.00").ToJsonString()),
        };

        foreach (var (code, status, bank, body) in cases)
        {
            var answer = await bank.PayAsync(NewKey(), body);
            Assert.True((code, status) == (answer.Code, answer.Status), $"{body} answered {answer}, expected {(int)status} {code}");
            Assert.Equal("application/problem+json", answer.ContentType);
            Assert.Equal($"https://switch/problems/{code}", answer["type"]);
        }

        Assert.Equal(0L, await Scalar<long>("select amount_paid from bills where account_number = $1", account));
    }

    [Fact]
    public async Task Payment_beyond_the_net_debit_cap_is_422_51_and_changes_no_bill()
    {
        var (_, key) = await RestBanks.Create(Postgres, cap: 10_000);
        var (account, _) = await TestData.OpenBill(Postgres, amount: 10_001);
        using var bank = Bank(key);

        var answer = await bank.PayAsync(NewKey(), PaymentBody(account, "100.01"));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "51"), (answer.Status, answer.Code));
        Assert.Equal(0L, await Scalar<long>("select amount_paid from bills where account_number = $1", account));
    }

    [Theory]
    [InlineData("\"1e3\"", "30")]
    [InlineData("\"247,57\"", "30")]
    [InlineData("\" 247.57\"", "30")]
    [InlineData("247.57", "30")]
    [InlineData("\"247.575\"", "13")]
    [InlineData("\"-247.57\"", "13")]
    [InlineData("\"0.00\"", "13")]
    public async Task Amount_text_is_read_strictly(string amountJson, string code)
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = Bank();

        var answer = await bank.PayAsync(NewKey(), $$"""{"billerCode":"ELECT","accountNumber":"{{account}}","channel":"IB","amount":{{amountJson}},"currency":"SAR"}""");

        Assert.Equal(code, answer.Code);
        Assert.Equal(code == "30" ? HttpStatusCode.BadRequest : HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Equal(0L, await Scalar<long>("select amount_paid from bills where account_number = $1", account));
    }

    [Theory]
    [InlineData("USD")]
    [InlineData("sar")]
    [InlineData("682")]
    public async Task Unknown_currency_is_422_13(string currency)
    {
        using var bank = Bank();

        var answer = await bank.PayAsync(NewKey(), PaymentBody("0000000005", "10.00", currency: currency));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "13"), (answer.Status, answer.Code));
    }

    [Theory]
    [InlineData("{\"billerCode\":\"ELECT\"")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("")]
    [InlineData("{\"billerCode\":\"ELECT\",\"accountNumber\":\"0000000005\",\"channel\":\"IB\",\"currency\":\"SAR\"}")]
    [InlineData("{\"billerCode\":\"ELECT\",\"accountNumber\":\"0000000005\",\"channel\":\"XYZ\",\"amount\":\"1.00\",\"currency\":\"SAR\"}")]
    [InlineData("{\"billerCode\":\"ELECT\",\"billerCode\":\"WATER\",\"accountNumber\":\"0000000005\",\"channel\":\"IB\",\"amount\":\"1.00\",\"currency\":\"SAR\"}")]
    public async Task Malformed_body_is_400_30(string body)
    {
        using var bank = Bank();

        var answer = await bank.PayAsync(NewKey(), body);

        Assert.Equal((HttpStatusCode.BadRequest, "30"), (answer.Status, answer.Code));
        Assert.Equal("application/problem+json", answer.ContentType);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("key/with/slashes")]
    [InlineData("x123456789x123456789x123456789x123456789x123456789x123456789x1234")]
    public async Task Missing_or_invalid_idempotency_key_is_400_30(string? key)
    {
        using var bank = Bank();

        var answer = await bank.PayAsync(key, PaymentBody("0000000005", "10.00"));

        Assert.Equal((HttpStatusCode.BadRequest, "30"), (answer.Status, answer.Code));
    }

    [Fact]
    public async Task Repeat_with_the_same_content_gets_the_first_answer_marked_replayed()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_750);
        using var bank = Bank();
        var key = NewKey();

        var first = await bank.PayAsync(key, PaymentBody(account, "247.50"));
        // The same amount written differently is the same content.
        var repeat = await bank.PayAsync(key, PaymentBody(account, "247.5"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.Status, repeat.Status));
        Assert.Equal(first.Text, repeat.Text);
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.Equal((false, true), (first.Replayed, repeat.Replayed));
        Assert.Equal(1L, await Scalar<long>("select count(*) from payments where bank_code = '100001' and reference = $1", key));
    }

    [Fact]
    public async Task Repeat_of_a_declined_payment_gets_the_first_decline_after_the_cap_is_raised()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        var (cappedCode, capped) = await RestBanks.Create(Postgres, cap: 0);
        using var bank = Bank(capped);
        var key = NewKey();

        var first = await bank.PayAsync(key, PaymentBody(account, "247.57"));
        await Scalar<int>("update banks set net_debit_cap = 100000000 where code = $1 returning 1", cappedCode);
        var repeat = await bank.PayAsync(key, PaymentBody(account, "247.57"));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "51"), (first.Status, first.Code));
        Assert.Equal((first.Status, first.Text), (repeat.Status, repeat.Text));
        Assert.Equal((false, true), (first.Replayed, repeat.Replayed));
    }

    [Fact]
    public async Task Same_key_with_other_content_is_409_94_and_changes_nothing()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        var (other, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = Bank();
        var key = NewKey();

        var first = await bank.PayAsync(key, PaymentBody(account, "247.57"));
        var otherAccount = await bank.PayAsync(key, PaymentBody(other, "247.57"));
        var otherChannel = await bank.PayAsync(key, PaymentBody(account, "247.57", channel: "MB"));

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal((HttpStatusCode.Conflict, "94"), (otherAccount.Status, otherAccount.Code));
        Assert.Equal((HttpStatusCode.Conflict, "94"), (otherChannel.Status, otherChannel.Code));
        Assert.Equal(0L, await Scalar<long>("select amount_paid from bills where account_number = $1", other));
    }

    [Fact]
    public async Task Same_key_from_two_banks_makes_two_independent_payments()
    {
        var (first, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        var (second, _) = await TestData.OpenBill(Postgres, amount: 10_000);
        var (_, otherKey) = await RestBanks.Create(Postgres);
        using var plain = Bank();
        using var other = Bank(otherKey);
        var key = NewKey();

        var mine = await plain.PayAsync(key, PaymentBody(first, "247.57"));
        var theirs = await other.PayAsync(key, PaymentBody(second, "100.00"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (mine.Status, theirs.Status));
        Assert.NotEqual(mine["paymentId"], theirs["paymentId"]);
        Assert.Equal((false, false), (mine.Replayed, theirs.Replayed));
        Assert.Equal(2L, await Scalar<long>("select count(*) from payments where reference = $1 and response_code = '00'", key));
    }

    private Task<T> Scalar<T>(string sql, params object[] parameters) => Postgres.Scalar<T>(sql, parameters);
}
