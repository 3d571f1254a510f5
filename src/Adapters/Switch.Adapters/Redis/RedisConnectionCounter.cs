using System.Globalization;
using FreeRedis;

namespace Switch.Adapters.Redis;

/// <summary>
/// Each bank's signed-on ISO 8583 connections across the cluster, in Redis: a hash per bank holds every node's count,
/// and a node's counts are believed only while its lease key lives. A node renews its lease and rewrites its counts
/// every renewal; a node that dies stops renewing, and once its lease expires its connections stop counting (the next
/// place taken for the bank removes them). Every call answers within <paramref name="timeout"/> or throws.
/// </summary>
/// <param name="node">This node's identity for its counts: new for every process, so a restarted node never inherits counts.</param>
public sealed class RedisConnectionCounter(string connectionString, TimeSpan timeout, string node, TimeSpan lease) : IDisposable
{
    private const string BankKey = "switch:conn:";
    private const string LeaseKey = "switch:conn-node:";

    // Adds the bank's connections of every node whose lease lives (forgetting the others) to this node's own count, which
    // already includes the place asked for; when the total is within the limit, states this node's count and renews its
    // lease. Returns 1 when the place is taken, 0 when the cluster holds all places.
    private const string TakeScript = """
        local total = tonumber(ARGV[5])
        local counts = redis.call('HGETALL', KEYS[1])
        for i = 1, #counts, 2 do
          if counts[i] ~= ARGV[1] then
            if redis.call('EXISTS', ARGV[3] .. counts[i]) == 0 then
              redis.call('HDEL', KEYS[1], counts[i])
            else
              total = total + tonumber(counts[i + 1])
            end
          end
        end
        if total > tonumber(ARGV[2]) then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[5])
        redis.call('SET', ARGV[3] .. ARGV[1], '1', 'PX', ARGV[4])
        return 1
        """;

    // Renews this node's lease and sets its count for each bank given (0 removes it).
    private const string RenewScript = """
        redis.call('SET', ARGV[2] .. ARGV[1], '1', 'PX', ARGV[3])
        for i, key in ipairs(KEYS) do
          local count = tonumber(ARGV[i + 3])
          if count > 0 then redis.call('HSET', key, ARGV[1], count) else redis.call('HDEL', key, ARGV[1]) end
        end
        return 1
        """;

    private readonly Lazy<RedisClient> _client = new(() => new RedisClient(connectionString), LazyThreadSafetyMode.PublicationOnly);

    public string Node => node;

    /// <summary>
    /// Whether this node may hold <paramref name="ownCount"/> of the bank's connections (one more than before) with what the
    /// other live nodes hold, within <paramref name="max"/>; when it may, Redis records it.
    /// </summary>
    public async Task<bool> TryTakeAsync(string bank, int max, int ownCount, CancellationToken cancellationToken)
    {
        var taken = await RunAsync(TakeScript, [BankKey + bank],
            [node, max.ToString(CultureInfo.InvariantCulture), LeaseKey, LeaseMilliseconds, ownCount.ToString(CultureInfo.InvariantCulture)], cancellationToken);
        return Convert.ToInt64(taken, CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>Renews this node's lease and states its count of signed-on connections for each bank given.</summary>
    public Task RenewAsync(IReadOnlyCollection<(string Bank, int Count)> counts, CancellationToken cancellationToken) =>
        RunAsync(RenewScript, [.. counts.Select(c => BankKey + c.Bank)],
            [node, LeaseKey, LeaseMilliseconds, .. counts.Select(c => (object)c.Count.ToString(CultureInfo.InvariantCulture))], cancellationToken);

    /// <summary>The bank's connections counted across the cluster, leases not checked (for operators and tests).</summary>
    public async Task<long> CountAsync(string bank, CancellationToken cancellationToken)
    {
        var counts = await Task.Run(() => _client.Value.HVals(BankKey + bank), cancellationToken).WaitAsync(timeout, cancellationToken);
        return counts.Sum(c => long.Parse(c, CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    private string LeaseMilliseconds => ((long)lease.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private async Task<object> RunAsync(string script, string[] keys, object[] arguments, CancellationToken cancellationToken) =>
        // Off the caller's thread: the client may block while it connects, and the timeout must still hold.
        await Task.Run(() => _client.Value.EvalAsync(script, keys, arguments), cancellationToken).WaitAsync(timeout, cancellationToken);
}
