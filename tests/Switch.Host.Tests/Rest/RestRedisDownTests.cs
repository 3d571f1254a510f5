using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Rest.RestClient;

namespace Switch.Host.Tests.Rest;

/// <summary>A switch whose Redis does not answer (its address is a closed port): it serves, counting rate limits per node.</summary>
public sealed class RedisDownHostFixture : HostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Switch:Redis:ConnectionString", $"127.0.0.1:{FreePort()},connectTimeout=200")];
}

[Collection(RestCollection.Name)]
public class RestRedisDownTests(RedisDownHostFixture host) : IClassFixture<RedisDownHostFixture>
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Switch_without_redis_serves_payments_is_ready_and_tells_operators_rate_limits_are_per_node()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        using var http = new HttpClient();

        var payment = await bank.PayAsync(NewKey(), PaymentBody(account, "247.57"));
        var health = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}/health");
        var status = await operatorClient.GetAsync("operator/status");

        Assert.Equal(HttpStatusCode.Created, payment.Status);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(("per node (Redis unavailable)", "degraded"), (status["rateLimit"], status["status"]));
    }

    [Fact]
    public async Task Switch_without_redis_still_holds_each_bank_to_its_rate()
    {
        var (_, key) = await RestBanks.Create(Postgres, rateLimit: 5, enrolled: false);
        using var limited = new RestClient(host.HttpPort, key);

        var (passed, refused) = await RateLimitProbe.UntilRefusedAsync(limited);

        Assert.Equal((HttpStatusCode.TooManyRequests, "91"), (refused.Status, refused.Code));
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter!.Delta);
        Assert.InRange(passed, 5, 10);
    }
}
