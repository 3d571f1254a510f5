using Switch.Adapters.Redis;
using Switch.Host.Actors;
using Switch.Participants;

namespace Switch.Host.Rest;

/// <summary>
/// Each bank's REST requests per second (banks.api_rate_limit) across all nodes, in fixed windows of one Unix second.
/// A request is admitted against what this node knows, without waiting on anything: the bank's cluster-wide count
/// in the window as Redis last reported it, plus what this node has admitted since. Every Switch:Redis:SettleEvery
/// the node adds its new counts to Redis in one round trip and learns the cluster totals back.
/// <para>
/// Bound: one node alone never admits more than the limit in a window. With N nodes, a window's total can exceed
/// the limit only by what the other nodes admitted that this node had not yet heard of: at most what they admit in
/// one settle interval plus one Redis round trip, and never more than N × limit (the bound without Redis).
/// </para>
/// When Redis fails or is slow the node counts on its own and keeps serving: Redis is a rate limiter whose loss costs
/// precision, never service. Counting alone, a node admits only its share of the limit, the limit divided by the nodes
/// up (<see cref="FallbackShare"/>), so the cluster as a whole still stays near the limit rather than at N times it. The switch-over is logged once each
/// way; while Redis is out it is tried again every Switch:Redis:RetryEvery, never on a request's time.
/// </summary>
/// <param name="nodesUp">How many nodes serve the cluster now; none means this node alone.</param>
public sealed class BankRateLimiter(RedisRateCounter redis, SwitchOptions options, TimeProvider time, ILogger<BankRateLimiter> logger, NodesUp? nodesUp = null)
    : IHostedService, IDisposable
{
    /// <summary>How long connecting to Redis may take, at start and when it is tried again: no request waits for either.</summary>
    private static readonly TimeSpan ConnectTime = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, BankWindow> _windows = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task _settling = Task.CompletedTask;
    private int _redisOut;
    private int _disposed;
    private long _retryAt;

    /// <summary>True while requests are counted in Redis; false while each node counts its own.</summary>
    public bool CountsInRedis => Volatile.Read(ref _redisOut) == 0;

    /// <summary>Connects to Redis before the first request, so that no request is counted per node for the connection; then settles counts in the background.</summary>
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

        _settling = SettleContinuallyAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _settling.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Whether <paramref name="bank"/> may make this request now. Never waits: the count is settled with Redis in the background.</summary>
    public bool TryAcquire(Bank bank)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_windows)
        {
            // Banks are authenticated participants, a bounded set: their windows are kept, not evicted.
            if (!_windows.TryGetValue(bank.Code, out var window))
            {
                window = new BankWindow();
                _windows[bank.Code] = window;
            }

            return window.TryAdmit(second, bank.ApiRateLimit, CountsInRedis ? null : FallbackShare(bank.ApiRateLimit, nodesUp?.Invoke() ?? 1));
        }
    }

    /// <summary>
    /// What one node may admit in a window while it counts alone: the limit divided by the nodes up, rounded down so that
    /// the nodes together stay within the limit, and at least one request, so that a small limit on many nodes does not
    /// shut the bank out.
    /// </summary>
    public static int FallbackShare(int limit, int nodesUp) => Math.Max(1, limit / Math.Max(1, nodesUp));

    /// <summary>
    /// One settlement: adds this node's counts since the last one to Redis and takes the cluster totals back. While
    /// Redis is out it only tries, when due, whether Redis answers again. Never throws.
    /// </summary>
    internal async Task SettleAsync(CancellationToken cancellationToken)
    {
        if (!CountsInRedis)
        {
            await RetryRedisWhenDueAsync(cancellationToken);
            return;
        }

        var second = time.GetUtcNow().ToUnixTimeSeconds();
        List<(string Bank, BankWindow Window, long Second, long Count)> due;
        lock (_windows)
        {
            // The banks with requests in this second, and what the last settlement of the second before missed: an
            // earlier window is over, nobody admits in it any more.
            due = [.. _windows
                .Where(w => w.Value.Second == second || (w.Value.Second == second - 1 && w.Value.Unsettled > 0))
                .Select(w => (w.Key, w.Value, w.Value.Second, w.Value.Unsettled))];
        }

        if (due.Count == 0)
        {
            return;
        }

        try
        {
            var totals = await redis.AddAsync([.. due.Select(d => (d.Bank, d.Second, d.Count))], cancellationToken);
            lock (_windows)
            {
                for (var i = 0; i < due.Count; i++)
                {
                    due[i].Window.Settled(due[i].Second, due[i].Count, totals[i]);
                }
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            RedisFailed(e);
        }
    }

    // Disposed twice at shutdown (a singleton that is also the hosted service): the second time does nothing.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    private async Task SettleContinuallyAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Redis.SettleEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await SettleAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void RedisFailed(Exception problem)
    {
        if (Interlocked.Exchange(ref _redisOut, 1) == 0)
        {
            logger.LogWarning("Redis does not answer ({Problem}): rate limits are counted per node until it does", problem.Message);
            Volatile.Write(ref _retryAt, (time.GetUtcNow() + options.Redis.RetryEvery).UtcTicks);
        }
    }

    private async Task RetryRedisWhenDueAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow().UtcTicks < Volatile.Read(ref _retryAt))
        {
            return;
        }

        try
        {
            await redis.PingAsync(ConnectTime, cancellationToken);
            Volatile.Write(ref _redisOut, 0);
            logger.LogWarning("Redis answers again: rate limits are counted in Redis across nodes");
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Volatile.Write(ref _retryAt, (time.GetUtcNow() + options.Redis.RetryEvery).UtcTicks);
        }
    }

    /// <summary>One bank's count in its current one-second window, as this node knows it; guarded by the limiter's lock.</summary>
    private sealed class BankWindow
    {
        private long _admitted;
        private long _settled;
        private long _clusterTotal;

        public long Second { get; private set; }

        /// <summary>What this node admitted in the window and has not yet added to Redis.</summary>
        public long Unsettled => _admitted - _settled;

        /// <summary>
        /// Admits while the cluster's last known total, plus what this node admitted since it reported, is under the limit,
        /// and, while the node counts alone, what it admitted in the window is under its <paramref name="share"/>.
        /// </summary>
        public bool TryAdmit(long second, int limit, int? share)
        {
            if (second > Second)
            {
                (Second, _admitted, _settled, _clusterTotal) = (second, 0, 0, 0);
            }

            if (_clusterTotal + Unsettled >= limit || _admitted >= share)
            {
                return false;
            }

            _admitted++;
            return true;
        }

        /// <summary><paramref name="count"/> more of this node's requests are in Redis, whose total for the window is now <paramref name="clusterTotal"/>.</summary>
        public void Settled(long second, long count, long clusterTotal)
        {
            if (Second == second)
            {
                _settled += count;
                _clusterTotal = Math.Max(_clusterTotal, clusterTotal);
            }
        }
    }
}
