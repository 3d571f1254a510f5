using Microsoft.Extensions.Logging;
using Switch.Adapters.Redis;
using Switch.Host.Rest;
using Switch.Host.Tests.Infrastructure;
using Switch.Participants;

namespace Switch.Host.Tests.Rest;

/// <summary>The limiter against the real Redis through a relay the test cuts: it falls back to per-node counting and comes back, saying so once each way.</summary>
[Collection(RestCollection.Name)]
public class BankRateLimiterTests
{
    private static readonly Bank Limited = new("RL" + Guid.NewGuid().ToString("N")[..8], "Test bank", true, false, null, 8) { ApiRateLimit = 3 };

    [Fact]
    public async Task Limiter_counts_per_node_while_redis_is_cut_and_in_redis_again_after_logging_each_switch_once()
    {
        var redis = (Environment.GetEnvironmentVariable("Switch__Redis__ConnectionString") ?? throw new InvalidOperationException("Run with ./switch test.")).Split(':');
        await using var proxy = new TcpProxy(redis[0], int.Parse(redis[1], System.Globalization.CultureInfo.InvariantCulture));
        var options = new SwitchOptions { Redis = { Timeout = TimeSpan.FromMilliseconds(500), RetryEvery = TimeSpan.FromMilliseconds(100) } };
        using var counter = new RedisRateCounter($"127.0.0.1:{proxy.Port}", options.Redis.Timeout);
        var log = new WarningLog();
        using var limiter = new BankRateLimiter(counter, options, TimeProvider.System, log);
        await limiter.StartAsync(default);

        var inRedis = await limiter.TryAcquireAsync(Limited, default);
        var countedInRedis = limiter.CountsInRedis;
        proxy.Cut();
        var whileCut = new List<bool>();
        for (var i = 0; i < 20; i++)
        {
            whileCut.Add(await limiter.TryAcquireAsync(Limited, default));
        }

        var countedPerNode = !limiter.CountsInRedis;
        var warningsWhileCut = log.Warnings.Count;
        proxy.Restore();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!limiter.CountsInRedis && DateTime.UtcNow < deadline)
        {
            await limiter.TryAcquireAsync(Limited, default);
            await Task.Delay(50);
        }

        Assert.True(inRedis && countedInRedis, string.Join(" | ", log.Warnings));
        Assert.True(countedPerNode);
        Assert.Equal(1, warningsWhileCut);
        // The node's own window holds the bank to its rate too: 20 requests in a burst are not all let through.
        Assert.InRange(whileCut.Count(allowed => allowed), 1, 6);
        Assert.True(limiter.CountsInRedis, "the limiter did not go back to Redis once it answered again");
        Assert.Equal(2, log.Warnings.Count);
        Assert.Contains("per node", log.Warnings[0]);
        Assert.Contains("answers again", log.Warnings[1]);
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
