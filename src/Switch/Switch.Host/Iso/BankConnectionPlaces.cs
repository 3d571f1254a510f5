using Switch.Adapters.Redis;
using Switch.Host.Actors;
using Switch.Host.Rest;

namespace Switch.Host.Iso;

/// <summary>
/// A bank's <c>max_connections</c> signed-on ISO 8583 connections, held across the cluster: a place is taken in this
/// node's registry (so one node alone never exceeds the limit) and in Redis, where every node's counts add up under
/// per-node leases (so a node that dies stops counting once its lease expires). While Redis does not answer, a node
/// grants places only within its share, the limit divided by the nodes up, as the rate limiter does.
/// </summary>
/// <param name="redis">
/// The cluster's counts; null for a node without seed nodes, a cluster of one, which counts alone (so separate
/// single-node switches sharing a Redis, as the tests' hosts do, never count each other's connections).
/// </param>
public sealed class BankConnectionPlaces(ConnectionRegistry registry, RedisConnectionCounter? redis, SwitchOptions options, NodesUp nodesUp, ILogger<BankConnectionPlaces> logger)
    : BackgroundService
{
    private int _redisOut;

    /// <summary>Takes one of the bank's places for a sign-on; false when all are taken, in the cluster or, without Redis, in this node's share.</summary>
    public async ValueTask<bool> TryTakeAsync(string bank, int max, CancellationToken cancellationToken)
    {
        if (!registry.TryBind(bank, max))
        {
            return false;
        }

        if (redis is null)
        {
            return true;
        }

        bool taken;
        try
        {
            taken = await redis.TryTakeAsync(bank, max, registry.SignedOn(bank), cancellationToken);
            RedisAnswered();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            RedisFailed(e);
            taken = registry.SignedOn(bank) <= BankRateLimiter.FallbackShare(max, nodesUp());
        }

        if (!taken)
        {
            registry.Unbind(bank);
        }

        return taken;
    }

    /// <summary>Gives a place back (sign-off or connection closed) and tells Redis in the background; missed, the next renewal does.</summary>
    public void Release(string bank)
    {
        registry.Unbind(bank);
        if (redis is not null)
        {
            _ = StateAsync(redis, bank);
        }
    }

    private async Task StateAsync(RedisConnectionCounter redis, string bank)
    {
        try
        {
            await redis.RenewAsync([(bank, registry.SignedOn(bank))], CancellationToken.None);
        }
        catch (Exception e)
        {
            RedisFailed(e);
        }
    }

    /// <summary>Renews this node's lease and restates its counts, so Redis recovers from a restart or a missed release by itself.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (redis is null)
        {
            return;
        }

        var every = options.Iso.ConnectionLease / 3;
        using var timer = new PeriodicTimer(every);
        var stated = new HashSet<string>();
        try
        {
            do
            {
                var counts = registry.SignedOnByBank();
                // Banks stated before and now at zero are stated as zero, which removes them.
                var renewal = counts.Select(c => (c.Key, c.Value)).Concat(stated.Where(b => !counts.ContainsKey(b)).Select(b => (b, 0))).ToList();
                try
                {
                    await redis.RenewAsync(renewal, stoppingToken);
                    RedisAnswered();
                    stated = [.. counts.Keys];
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    RedisFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        redis?.Dispose();
        base.Dispose();
    }

    private void RedisFailed(Exception problem)
    {
        if (Interlocked.Exchange(ref _redisOut, 1) == 0)
        {
            logger.LogWarning("Redis does not answer ({Problem}): banks' ISO 8583 connections are limited to this node's share until it does", problem.Message);
        }
    }

    private void RedisAnswered()
    {
        if (Interlocked.Exchange(ref _redisOut, 0) == 1)
        {
            logger.LogWarning("Redis answers again: banks' ISO 8583 connections are counted across the cluster");
        }
    }
}
