using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Iso;

namespace Switch.Host.Tests.Cluster;

/// <summary>
/// One bank paying top-ups flat out over ISO 8583 connections to several nodes, as a bank that follows the switch's
/// sign-off does: a connection signed off (its node stopping) or closed takes no new request, and a new one is
/// opened to another node that is ready. Every request's answer is kept with when it was sent and answered.
/// </summary>
public sealed class ClusterBankLoad : IAsyncDisposable
{
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(10);

    private readonly string _bank;
    private readonly IReadOnlyList<NodeProcess> _nodes;
    private readonly int _lanes;
    private readonly int _window;
    private readonly ConcurrentDictionary<IsoClient, NodeProcess> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Task> _workers = [];
    private readonly SemaphoreSlim _replacing = new(1, 1);
    private int _next;

    /// <param name="nodes">The nodes the bank may connect to (only those running and ready are used).</param>
    /// <param name="lanes">Connections kept open, spread over the nodes.</param>
    /// <param name="window">Requests in flight per connection.</param>
    public ClusterBankLoad(string bank, IReadOnlyList<NodeProcess> nodes, int lanes = 3, int window = 8)
    {
        _bank = bank;
        _nodes = nodes;
        _lanes = lanes;
        _window = window;
    }

    public ConcurrentQueue<Answer> Answers { get; } = new();

    /// <summary>Connections the switch signed off, by the node that signed them off.</summary>
    public ConcurrentQueue<int> SignOffs { get; } = new();

    /// <summary>Time since the load started.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public async Task StartAsync()
    {
        for (var lane = 0; lane < _lanes; lane++)
        {
            var client = await ConnectAsync(lane);
            for (var slot = 0; slot < _window; slot++)
            {
                _workers.Add(Task.Run(() => WorkAsync(client)));
            }
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    /// <summary>Waits until an approval answered after <paramref name="since"/> has been heard (or the limit passes).</summary>
    public async Task<Answer?> FirstApprovalAfterAsync(TimeSpan since, TimeSpan limit)
    {
        var deadline = Now + limit;
        while (Now < deadline)
        {
            var first = Answers.Where(a => a.Code == "00" && a.SentAt >= since).MinBy(a => a.AnsweredAt);
            if (first is not null)
            {
                return first;
            }

            await Task.Delay(20);
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var client in _open.Keys)
        {
            await client.DisposeAsync();
        }

        _stop.Dispose();
        _replacing.Dispose();
    }

    /// <summary>One request slot: sends on its connection until the connection is signed off or closed, then moves to a new one.</summary>
    private async Task WorkAsync(IsoClient client)
    {
        while (!_stop.IsCancellationRequested)
        {
            if (client.SignedOff.IsCompleted || client.Closed.IsCompleted)
            {
                client = await ReplaceAsync(client);
                continue;
            }

            var amount = 100 + Random.Shared.Next(900);
            var request = BankMessages.Payment(_bank, "05" + Random.Shared.Next(100_000_000).ToString("D8", CultureInfo.InvariantCulture), amount, biller: "TOPUP", channel: "MB");
            var sentAt = Now;
            string code;
            try
            {
                code = (await client.SendAsync(request, AnswerWait)).GetString(39) ?? "none";
            }
            catch (Exception e) when (e is IOException or TimeoutException or ObjectDisposedException or InvalidOperationException)
            {
                code = "none";
            }

            Answers.Enqueue(new Answer(request.GetString(37)!, amount, code, sentAt, Now));
        }
    }

    private async Task<IsoClient> ReplaceAsync(IsoClient old)
    {
        // Every slot of a connection comes here; one at a time, so only the first replaces it and the others share what is open.
        await _replacing.WaitAsync();
        try
        {
            if (_open.TryRemove(old, out var node) && old.SignedOff.IsCompleted)
            {
                SignOffs.Enqueue(node.Index);
            }

            while (!_stop.IsCancellationRequested)
            {
                var usable = _open.Keys.Where(c => !c.SignedOff.IsCompleted && !c.Closed.IsCompleted).ToList();
                if (usable.Count >= _lanes)
                {
                    return usable[Random.Shared.Next(usable.Count)];
                }

                try
                {
                    return await ConnectAsync(Interlocked.Increment(ref _next));
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException or Xunit.Sdk.XunitException)
                {
                    await Task.Delay(50);
                }
            }

            return old;
        }
        finally
        {
            _replacing.Release();
        }
    }

    /// <summary>A signed-on connection to the next node (round robin) that is running and ready.</summary>
    private async Task<IsoClient> ConnectAsync(int start)
    {
        for (var i = 0; i < _nodes.Count * 20; i++)
        {
            var node = _nodes[(start + i) % _nodes.Count];
            if (node.IsRunning && await node.IsReadyAsync())
            {
                var client = await node.SignedOnAsync(_bank);
                _open[client] = node;
                return client;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("No node was ready to connect to.");
    }

    /// <param name="SentAt">When the request was sent, since the load started; <paramref name="AnsweredAt"/> likewise.</param>
    public sealed record Answer(string Rrn, long Amount, string Code, TimeSpan SentAt, TimeSpan AnsweredAt)
    {
        public TimeSpan Latency => AnsweredAt - SentAt;
    }
}
