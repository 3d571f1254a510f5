using System.Net;
using Npgsql;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>One credential model: each key has its role, and a route admits only its own (a bank's key is no operator's, and back).</summary>
[Collection(RestCollection.Name)]
public class RestOperatorTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Operator_status_shows_the_dependencies_and_signed_on_banks()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        await using var bank = await host.SignedOnAsync("100001");

        var status = await operatorClient.GetAsync("operator/status");

        Assert.Equal((HttpStatusCode.OK, "up", "up", "up"), (status.Status, status["status"], status["postgres"], status["redis"]));
        Assert.True(status.Json["iso"]!["signedOn"]!["100001"]!.GetValue<int>() >= 1, status.Text);
    }

    [Theory]
    [InlineData(RestBanks.PlainKey)]
    [InlineData(RestBanks.MacBankKey)]
    public async Task Bank_key_on_an_operator_route_is_403_57(string bankKey)
    {
        using var bank = new RestClient(host.HttpPort, bankKey);

        var answer = await bank.GetAsync("operator/status");

        Assert.Equal((HttpStatusCode.Forbidden, "57", "application/problem+json"), (answer.Status, answer.Code, answer.ContentType));
        Assert.DoesNotContain("signedOn", answer.Text);
    }

    [Fact]
    public async Task Operator_key_on_a_bank_route_is_403_57()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);

        var billers = await operatorClient.GetAsync("billers");
        var payment = await operatorClient.PayAsync(RestClient.NewKey(), RestClient.PaymentBody("0000000005", "10.00"));

        Assert.Equal((HttpStatusCode.Forbidden, "57"), (billers.Status, billers.Code));
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (payment.Status, payment.Code));
    }

    [Fact]
    public async Task Central_bank_key_is_not_an_operators_and_a_revoked_operator_key_is_401_63()
    {
        using var centralBank = new RestClient(host.HttpPort, await RestBanks.CreateKey(Postgres, "central_bank"));
        using var revoked = new RestClient(host.HttpPort, await RestBanks.CreateKey(Postgres, "operator", active: false));
        using var anonymous = new RestClient(host.HttpPort, null);

        var byCentralBank = await centralBank.GetAsync("operator/status");
        var byRevoked = await revoked.GetAsync("operator/status");
        var byAnonymous = await anonymous.GetAsync("operator/status");

        Assert.Equal((HttpStatusCode.Forbidden, "57"), (byCentralBank.Status, byCentralBank.Code));
        Assert.Equal((HttpStatusCode.Unauthorized, "63"), (byRevoked.Status, byRevoked.Code));
        Assert.Equal((HttpStatusCode.Unauthorized, "63"), (byAnonymous.Status, byAnonymous.Code));
    }
}
