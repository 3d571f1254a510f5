using System.Globalization;
using FreeRedis;

namespace Switch.Adapters.Redis;

/// <summary>
/// Per-bank request counts in fixed one-second windows, shared by every node through Redis. Each call answers within
/// <paramref name="timeout"/> or throws: a rate limit must never wait on a slow cache.
/// </summary>
public sealed class RedisRateCounter(string connectionString, TimeSpan timeout) : IDisposable
{
    /// <summary>How long a window's count outlives its second: long enough for every node's last settlement of it.</summary>
    private const int WindowLifeMilliseconds = 2000;

    // INCRBY and the expiry in one script, so a window's key can never be left without its expiry; every bank of a
    // settlement in one round trip.
    private const string AddScript = """
        local totals = {}
        for i, key in ipairs(KEYS) do
          totals[i] = redis.call('INCRBY', key, ARGV[i + 1])
          if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[1]) end
        end
        return totals
        """;

    // PublicationOnly: a client that failed to start is not remembered, so the counter recovers when Redis does.
    private readonly Lazy<RedisClient> _client = new(() => new RedisClient(connectionString), LazyThreadSafetyMode.PublicationOnly);

    /// <summary>
    /// Adds each count to its bank's window of one second (Unix seconds), a count of 0 only reading it; returns each
    /// window's total across all nodes, in the order given.
    /// </summary>
    public async Task<long[]> AddAsync(IReadOnlyList<(string Bank, long Second, long Count)> counts, CancellationToken cancellationToken)
    {
        var keys = counts.Select(c => $"switch:rate:{c.Bank}:{c.Second.ToString(CultureInfo.InvariantCulture)}").ToArray();
        object[] arguments = [WindowLifeMilliseconds, .. counts.Select(c => (object)c.Count)];
        // Off the caller's thread: the client may block while it connects, and the timeout must still hold.
        var totals = await Task.Run(() => _client.Value.EvalAsync(AddScript, keys, arguments), cancellationToken).WaitAsync(timeout, cancellationToken);
        return totals is object[] each && each.Length == keys.Length
            ? [.. each.Select(t => Convert.ToInt64(t, CultureInfo.InvariantCulture))]
            : throw new InvalidOperationException($"Redis answered {keys.Length} window counts with '{totals}'.");
    }

    /// <summary>
    /// Completes when Redis answers a PING within <paramref name="within"/>; throws otherwise. It may have to connect
    /// first, which takes longer than a count, hence its own time.
    /// </summary>
    public async Task PingAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        var answer = await Task.Run(() => _client.Value.Ping(), cancellationToken).WaitAsync(within, cancellationToken);
        if (answer != "PONG")
        {
            throw new InvalidOperationException($"Redis answered '{answer}' to PING.");
        }
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
