using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Rest.RestClient;

namespace Switch.Host.Tests.Rest;

/// <summary>The bank is the one its API key names: no key, no answer; and one bank never sees, pays as or reverses another's payments.</summary>
[Collection(RestCollection.Name)]
public class RestAuthorisationTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Theory]
    [InlineData(null)]
    [InlineData("no-such-key")]
    [InlineData("DEMO-KEY-100001")]
    public async Task Missing_or_unknown_key_is_401_63(string? key)
    {
        using var bank = new RestClient(host.HttpPort, key);

        var answer = await bank.GetAsync("billers");

        Assert.Equal((HttpStatusCode.Unauthorized, "63", "application/problem+json"), (answer.Status, answer.Code, answer.ContentType));
        Assert.Equal("Bearer", answer.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Key_sent_with_another_scheme_is_401_63()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{host.HttpPort}/api/v1/billers");
        request.Headers.TryAddWithoutValidation("Authorization", $"Basic {RestBanks.PlainKey}");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("63", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["responseCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Key_of_a_suspended_bank_is_401_63()
    {
        var (_, key) = await RestBanks.Create(Postgres, status: "suspended", enrolled: false);
        using var bank = new RestClient(host.HttpPort, key);

        var answer = await bank.PayAsync(NewKey(), PaymentBody("0000000005", "10.00"));

        Assert.Equal((HttpStatusCode.Unauthorized, "63"), (answer.Status, answer.Code));
    }

    [Fact]
    public async Task Bank_cannot_see_another_banks_payment_by_id_or_by_key()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        var (_, otherKey) = await RestBanks.Create(Postgres, enrolled: false);
        using var owner = new RestClient(host.HttpPort, RestBanks.PlainKey);
        using var other = new RestClient(host.HttpPort, otherKey);
        var key = NewKey();
        var paymentId = (await owner.PayAsync(key, PaymentBody(account, "247.57")))["paymentId"]!;

        var byId = await other.GetAsync($"payments/{paymentId}");
        var byKey = await other.GetAsync($"payments?idempotencyKey={key}");

        Assert.Equal((HttpStatusCode.NotFound, "25"), (byId.Status, byId.Code));
        Assert.Equal((HttpStatusCode.NotFound, "25"), (byKey.Status, byKey.Code));
    }

    [Fact]
    public async Task Bank_cannot_reverse_another_banks_payment()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        var (_, otherKey) = await RestBanks.Create(Postgres, enrolled: false);
        using var owner = new RestClient(host.HttpPort, RestBanks.PlainKey);
        using var other = new RestClient(host.HttpPort, otherKey);
        var paymentId = (await owner.PayAsync(NewKey(), PaymentBody(account, "247.57")))["paymentId"]!;

        var reversal = await other.ReverseAsync(paymentId);

        Assert.Equal((HttpStatusCode.NotFound, "25"), (reversal.Status, reversal.Code));
        Assert.Equal("approved", (await owner.GetAsync($"payments/{paymentId}"))["status"]);
        Assert.Equal("paid", await Scalar<string>("select status from bills where account_number = $1", account));
    }

    [Fact]
    public async Task Bank_named_in_the_body_is_ignored_the_payment_is_the_key_owners()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        var (otherCode, otherKey) = await RestBanks.Create(Postgres);
        using var other = new RestClient(host.HttpPort, otherKey);
        var body = PaymentBody(account, "247.57");
        body["bankCode"] = "100001";
        body["bank"] = "100001";

        var answer = await other.PayAsync(NewKey(), body);

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal(otherCode, await Scalar<string>("select bank_code from payments where switch_reference = $1", answer["paymentId"]!));
    }

    private Task<T> Scalar<T>(string sql, params object[] parameters) => Postgres.Scalar<T>(sql, parameters);
}
