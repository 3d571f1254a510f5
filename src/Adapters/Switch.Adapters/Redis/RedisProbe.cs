using FreeRedis;

namespace Switch.Adapters.Redis;

/// <summary>Tells whether Redis answers. Redis is a cache and rate limiter: when it is down the switch slows, it does not stop.</summary>
public sealed class RedisProbe(string connectionString) : IDisposable
{
    private readonly Lazy<RedisClient> _client = new(() => new RedisClient(connectionString));

    public async Task<string?> ProblemAsync()
    {
        try
        {
            var answer = await Task.Run(() => _client.Value.Ping()).WaitAsync(TimeSpan.FromSeconds(2));
            return answer == "PONG" ? null : $"unexpected answer '{answer}'";
        }
        catch (Exception e)
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
