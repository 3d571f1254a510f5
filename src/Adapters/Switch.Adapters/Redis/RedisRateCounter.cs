using System.Globalization;
using FreeRedis;

namespace Switch.Adapters.Redis;

/// <summary>
/// Per-bank request counts in fixed one-second windows, shared by every node through Redis. Each call answers within
/// <paramref name="timeout"/> or throws: a rate limit must never make a request wait on a slow cache.
/// </summary>
public sealed class RedisRateCounter(string connectionString, TimeSpan timeout) : IDisposable
{
    // INCR and EXPIRE in one script, so a window's key can never be left without its expiry.
    private const string CountScript = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return n
        """;

    // PublicationOnly: a client that failed to start is not remembered, so the counter recovers when Redis does.
    private readonly Lazy<RedisClient> _client = new(() => new RedisClient(connectionString), LazyThreadSafetyMode.PublicationOnly);

    /// <summary>Counts one request of <paramref name="bank"/> in the window <paramref name="second"/> (Unix seconds); returns the window's count.</summary>
    public async Task<long> CountAsync(string bank, long second, CancellationToken cancellationToken)
    {
        var key = $"switch:rate:{bank}:{second.ToString(CultureInfo.InvariantCulture)}";
        // Off the caller's thread: the client may block while it connects, and the timeout must still hold.
        var count = await Task.Run(() => _client.Value.EvalAsync(CountScript, [key], 2000), cancellationToken).WaitAsync(timeout, cancellationToken);
        return Convert.ToInt64(count, CultureInfo.InvariantCulture);
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
