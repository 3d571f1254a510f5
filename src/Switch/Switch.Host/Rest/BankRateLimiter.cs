using System.Threading.RateLimiting;
using Switch.Adapters.Redis;
using Switch.Participants;

namespace Switch.Host.Rest;

/// <summary>
/// Each bank's REST requests per second (banks.api_rate_limit), counted in Redis so the limit holds across nodes.
/// When Redis fails or is slow the node counts on its own (a bank then gets the limit once per node) and keeps
/// serving: Redis is a rate limiter whose loss costs precision, never service. The switch-over is logged once each
/// way; while Redis is out it is tried again in the background, never on a request's time.
/// </summary>
public sealed class BankRateLimiter(RedisRateCounter redis, SwitchOptions options, TimeProvider time, ILogger<BankRateLimiter> logger) : IHostedService, IDisposable
{
    /// <summary>How long connecting to Redis may take, at start and when it is tried again: no request waits for either.</summary>
    private static readonly TimeSpan ConnectTime = TimeSpan.FromSeconds(2);

    private readonly PartitionedRateLimiter<(string Bank, int Limit)> _node = PartitionedRateLimiter.Create<(string Bank, int Limit), (string, int)>(
        bank => RateLimitPartition.GetFixedWindowLimiter(bank, b => new FixedWindowRateLimiterOptions
        {
            PermitLimit = b.Limit,
            Window = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        }));

    private int _redisOut;
    private int _retrying;
    private long _retryAt;

    /// <summary>True while requests are counted in Redis; false while each node counts its own.</summary>
    public bool CountsInRedis => Volatile.Read(ref _redisOut) == 0;

    /// <summary>Connects to Redis before the first request, so that no request pays for the connection or is counted per node for it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.PingAsync(ConnectTime, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            RedisFailed(e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Whether <paramref name="bank"/> may make this request now.</summary>
    public async ValueTask<bool> TryAcquireAsync(Bank bank, CancellationToken cancellationToken)
    {
        if (CountsInRedis)
        {
            try
            {
                return await redis.CountAsync(bank.Code, time.GetUtcNow().ToUnixTimeSeconds(), cancellationToken) <= bank.ApiRateLimit;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                RedisFailed(e);
            }
        }
        else
        {
            RetryRedisWhenDue();
        }

        using var lease = _node.AttemptAcquire((bank.Code, bank.ApiRateLimit));
        return lease.IsAcquired;
    }

    public void Dispose() => _node.Dispose();

    private void RedisFailed(Exception problem)
    {
        if (Interlocked.Exchange(ref _redisOut, 1) == 0)
        {
            logger.LogWarning("Redis does not answer ({Problem}): rate limits are counted per node until it does", problem.Message);
            Volatile.Write(ref _retryAt, (time.GetUtcNow() + options.Redis.RetryEvery).UtcTicks);
        }
    }

    private void RetryRedisWhenDue()
    {
        if (time.GetUtcNow().UtcTicks < Volatile.Read(ref _retryAt) || Interlocked.Exchange(ref _retrying, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await redis.PingAsync(ConnectTime, CancellationToken.None);
                Volatile.Write(ref _redisOut, 0);
                logger.LogWarning("Redis answers again: rate limits are counted in Redis across nodes");
            }
            catch (Exception)
            {
                Volatile.Write(ref _retryAt, (time.GetUtcNow() + options.Redis.RetryEvery).UtcTicks);
            }
            finally
            {
                Volatile.Write(ref _retrying, 0);
            }
        });
    }
}
