using Microsoft.Extensions.Logging;
using Switch.Adapters.Redis;
using Switch.Host.Rest;
using Switch.Host.Tests.Infrastructure;
using Switch.Participants;

namespace Switch.Host.Tests.Rest;

/// <summary>
/// The limiter against the real Redis: nodes settle their counts in batches and stay within the documented bound
/// together; through a relay the test cuts, it falls back to per-node counting and comes back, saying so once each way.
/// </summary>
[Collection(RestCollection.Name)]
public class BankRateLimiterTests
{
    private static string RedisAddress => Environment.GetEnvironmentVariable("Switch__Redis__ConnectionString") ?? throw new InvalidOperationException("Run with ./switch test.");

    private static Bank NewBank(int rateLimit) => new("RL" + Guid.NewGuid().ToString("N")[..8], "Test bank", true, false, null, 8) { ApiRateLimit = rateLimit };

    [Fact]
    public async Task Two_nodes_sharing_redis_admit_the_limit_and_at_most_what_the_other_admitted_since_its_last_settlement_beyond_it()
    {
        const int Limit = 20;
        const int PerNodeBetweenSettlements = 3;
        var bank = NewBank(Limit);
        // One window for the whole test, and no settlement but the test's own: the interleaving is the test's choice.
        var time = new PinnedTime(DateTimeOffset.UtcNow);
        var options = new SwitchOptions { Redis = { Timeout = TimeSpan.FromSeconds(5), SettleEvery = TimeSpan.FromHours(1) } };
        using var counterA = new RedisRateCounter(RedisAddress, options.Redis.Timeout);
        using var counterB = new RedisRateCounter(RedisAddress, options.Redis.Timeout);
        using var nodeA = new BankRateLimiter(counterA, options, time, new WarningLog());
        using var nodeB = new BankRateLimiter(counterB, options, time, new WarningLog());

        var admitted = 0;
        var lastRound = -1;
        for (var round = 0; round < 20 && lastRound != 0; round++)
        {
            lastRound = 0;
            for (var i = 0; i < PerNodeBetweenSettlements; i++)
            {
                lastRound += (nodeA.TryAcquire(bank) ? 1 : 0) + (nodeB.TryAcquire(bank) ? 1 : 0);
            }

            admitted += lastRound;
            await nodeA.SettleAsync(default);
            await nodeB.SettleAsync(default);
        }

        using var redis = new FreeRedis.RedisClient(RedisAddress);
        var counted = long.Parse(redis.Get($"switch:rate:{bank.Code}:{time.GetUtcNow().ToUnixTimeSeconds()}"), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(0, lastRound);
        Assert.True(nodeA.CountsInRedis && nodeB.CountsInRedis);
        // The documented bound: the limit, plus what the other node admitted that this one had not yet heard of.
        Assert.InRange(admitted, Limit, Limit + PerNodeBetweenSettlements);
        Assert.Equal(admitted, counted);
    }

    [Fact]
    public async Task Requests_admitted_after_the_last_settlement_of_a_second_still_reach_redis()
    {
        var bank = NewBank(100);
        var time = new PinnedTime(DateTimeOffset.UtcNow);
        var options = new SwitchOptions { Redis = { Timeout = TimeSpan.FromSeconds(5), SettleEvery = TimeSpan.FromHours(1) } };
        using var counter = new RedisRateCounter(RedisAddress, options.Redis.Timeout);
        using var node = new BankRateLimiter(counter, options, time, new WarningLog());
        var window = time.GetUtcNow().ToUnixTimeSeconds();

        var admitted = node.TryAcquire(bank) && node.TryAcquire(bank);
        time.Advance(TimeSpan.FromSeconds(1));
        await node.SettleAsync(default);
        using var redis = new FreeRedis.RedisClient(RedisAddress);

        Assert.True(admitted);
        Assert.Equal("2", redis.Get($"switch:rate:{bank.Code}:{window}"));
    }

    [Fact]
    public async Task Limiter_counts_per_node_while_redis_is_cut_and_in_redis_again_after_logging_each_switch_once()
    {
        var limited = NewBank(3);
        var redis = RedisAddress.Split(':');
        await using var proxy = new TcpProxy(redis[0], int.Parse(redis[1], System.Globalization.CultureInfo.InvariantCulture));
        var options = new SwitchOptions { Redis = { Timeout = TimeSpan.FromMilliseconds(500), RetryEvery = TimeSpan.FromMilliseconds(100), SettleEvery = TimeSpan.FromMilliseconds(20) } };
        using var counter = new RedisRateCounter($"127.0.0.1:{proxy.Port}", options.Redis.Timeout);
        var log = new WarningLog();
        using var limiter = new BankRateLimiter(counter, options, TimeProvider.System, log);
        await limiter.StartAsync(default);

        var inRedis = limiter.TryAcquire(limited);
        var countedInRedis = limiter.CountsInRedis;
        proxy.Cut();
        // Requests go on while Redis is cut: a settlement of them finds it gone.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (limiter.CountsInRedis && DateTime.UtcNow < deadline)
        {
            limiter.TryAcquire(limited);
            await Task.Delay(20);
        }

        var countedPerNode = !limiter.CountsInRedis;
        var whileCut = Enumerable.Range(0, 20).Select(_ => limiter.TryAcquire(limited)).ToList();
        var warningsWhileCut = log.Warnings.Count;
        proxy.Restore();
        deadline = DateTime.UtcNow.AddSeconds(20);
        while (!limiter.CountsInRedis && DateTime.UtcNow < deadline)
        {
            limiter.TryAcquire(limited);
            await Task.Delay(50);
        }

        await limiter.StopAsync(default);

        Assert.True(inRedis && countedInRedis, string.Join(" | ", log.Warnings));
        Assert.True(countedPerNode, "the limiter did not notice that Redis was cut");
        Assert.Equal(1, warningsWhileCut);
        // The node's own window holds the bank to its rate too: 20 requests in a burst are not all let through.
        Assert.InRange(whileCut.Count(allowed => allowed), 0, 6);
        Assert.True(limiter.CountsInRedis, "the limiter did not go back to Redis once it answered again");
        Assert.Equal(2, log.Warnings.Count);
        Assert.Contains("per node", log.Warnings[0]);
        Assert.Contains("answers again", log.Warnings[1]);
    }

    /// <summary>A clock that moves only when the test moves it.</summary>
    private sealed class PinnedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }

    private sealed class WarningLog : ILogger<BankRateLimiter>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                lock (Warnings)
                {
                    Warnings.Add(formatter(state, exception));
                }
            }
        }
    }
}
