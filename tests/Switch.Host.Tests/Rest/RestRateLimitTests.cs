using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>Each bank's requests per second (banks.api_rate_limit), settled in Redis: 429, 91 and Retry-After beyond it.</summary>
[Collection(RestCollection.Name)]
public class RestRateLimitTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Requests_beyond_the_banks_rate_are_429_91_with_retry_after_and_other_banks_are_not_held_back()
    {
        var (_, key) = await RestBanks.Create(Postgres, rateLimit: 5, enrolled: false);
        using var limited = new RestClient(host.HttpPort, key);
        using var other = new RestClient(host.HttpPort, RestBanks.PlainKey);

        var (passed, refused) = await RateLimitProbe.UntilRefusedAsync(limited);
        var otherBank = await other.GetAsync("billers");

        Assert.Equal((HttpStatusCode.TooManyRequests, "91", "application/problem+json"), (refused.Status, refused.Code, refused.ContentType));
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter!.Delta);
        // A fixed one-second window: at most the limit in each of the two windows the burst can touch.
        Assert.InRange(passed, 5, 10);
        Assert.Equal(HttpStatusCode.OK, otherBank.Status);
    }

    [Fact]
    public async Task Requests_are_counted_in_redis_under_the_banks_code()
    {
        var (code, key) = await RestBanks.Create(Postgres, enrolled: false);
        using var bank = new RestClient(host.HttpPort, key);
        using var redis = new FreeRedis.RedisClient(Environment.GetEnvironmentVariable("Switch__Redis__ConnectionString"));

        await bank.GetAsync("billers");
        await bank.GetAsync("billers");
        // Each node adds its counts to Redis every Switch:Redis:SettleEvery, not on the request's time.
        string[] windows = [];
        long counted = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); counted < 2 && DateTime.UtcNow < deadline; await Task.Delay(10))
        {
            windows = redis.Keys($"switch:rate:{code}:*");
            counted = windows.Sum(w => long.TryParse(redis.Get(w), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0);
        }

        Assert.NotEmpty(windows);
        Assert.Equal(2, counted);
        Assert.All(windows, w => Assert.InRange(redis.PTtl(w), 1, 2000));
    }

    [Fact]
    public async Task Operator_status_says_rate_limits_are_counted_in_redis()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);

        var status = await operatorClient.GetAsync("operator/status");

        Assert.Equal("redis", status["rateLimit"]);
    }
}

/// <summary>Sends requests one after another until the switch refuses one for the rate, as a busy bank would.</summary>
public static class RateLimitProbe
{
    public static async Task<(int Passed, RestClient.Answer Refused)> UntilRefusedAsync(RestClient bank)
    {
        var passed = 0;
        for (var i = 0; i < 200; i++)
        {
            var answer = await bank.GetAsync("billers");
            if (answer.Status != HttpStatusCode.OK)
            {
                return (passed, answer);
            }

            passed++;
        }

        throw new Xunit.Sdk.XunitException($"{passed} requests in a row passed a limit of a few per second.");
    }
}
