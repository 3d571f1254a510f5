using FreeRedis;

namespace Switch.Adapters.Redis;

/// <summary>Tells whether Redis answers. Redis is a cache and rate limiter: when it is down the switch slows, it does not stop.</summary>
public sealed class RedisProbe(string connectionString) : IDisposable
{
    // PublicationOnly: a client that failed to start is not remembered, so the probe recovers when Redis does.
    private readonly Lazy<RedisClient> _client = new(() => new RedisClient(connectionString), LazyThreadSafetyMode.PublicationOnly);

    /// <summary>Null when Redis answers within <paramref name="within"/>, else what went wrong. Never blocks its caller.</summary>
    public async Task<string?> ProblemAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        try
        {
            // The client has no asynchronous PING; EXISTS of a key nobody writes is the same round trip. Off the
            // caller's thread: creating the client may connect synchronously; the wait is bounded either way.
            await Task.Run(() => _client.Value.ExistsAsync("switch:probe"), cancellationToken).WaitAsync(within, cancellationToken);
            return null;
        }
        catch (TimeoutException)
        {
            return $"no answer within {within.TotalSeconds:0.#} s";
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return e.Message;
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
