using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Iso8583.Framing;
using Switch.Diagnostics;

namespace Switch.Adapters.Billers;

/// <summary>How the switch reaches a biller's ISO 8583 host, as a client.</summary>
public sealed record IsoBillerSettings
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>What the switch signs on as (field 32 of its 0800s), as the biller registered it.</summary>
    public required string Institution { get; init; }

    /// <summary>Connections kept signed on; requests are spread over those that are.</summary>
    public int Connections { get; init; } = 2;

    /// <summary>The biller's message profile (a built-in name or a profile file), as for the bank listener.</summary>
    public string Profile { get; init; } = "spec-ascii";

    /// <summary>An idle connection is tested with an echo (0800 70=301) this often; one that does not answer is replaced.</summary>
    public TimeSpan EchoEvery { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait for a connection, its sign-on or an echo answer.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reconnection waits double from <see cref="FirstBackoff"/> up to this, with jitter, while the host refuses.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>No connection to the biller is signed on now: the request was not sent.</summary>
public sealed class BillerUnavailableException(string message) : Exception(message);

/// <summary>
/// The switch as a client of a biller's ISO 8583 host: a pool of connections, each connected, signed on (0800 70=001)
/// and kept alive with echoes (70=301), replaced with exponential backoff and jitter when it fails or the host refuses
/// it. Requests are pipelined over the signed-on connections and matched to their responses by fields 11 and 37: the
/// pool gives each request a STAN of its own, so no two requests in flight share 11 and 37. A response that comes after
/// its request gave up (or names no request) is never given to another: it is logged and published on
/// <see cref="LateResponses"/> for reconciliation (for example, a payment the biller accepted after the switch
/// answered the bank). A request when no connection is signed on fails at once with
/// <see cref="BillerUnavailableException"/>, not after its timeout.
/// </summary>
public sealed class IsoBillerConnections : IAsyncDisposable
{
    /// <summary>Late responses kept for a reader; beyond this the oldest are dropped (and counted in the log).</summary>
    public const int LateResponsesKept = 10_000;

    private readonly IsoBillerSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IsoCodec _codec;
    private readonly IsoClient?[] _signedOn;
    private readonly Task[] _keepers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly RepeatedFailures _failures;
    private readonly Channel<IsoMessageView> _late = Channel.CreateBounded<IsoMessageView>(
        new BoundedChannelOptions(LateResponsesKept) { FullMode = BoundedChannelFullMode.DropOldest });
    private long _stan;
    private int _next;
    private long _lateCount;

    public IsoBillerConnections(IsoBillerSettings settings, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Connections, 1);
        _settings = settings;
        _time = time;
        _logger = logger;
        _codec = new IsoCodec(MessageProfile.Resolve(settings.Profile));
        _failures = new RepeatedFailures(time, RepeatedFailures.Interval);
        _signedOn = new IsoClient?[settings.Connections];
        _stan = Random.Shared.Next(0, 1_000_000);
        _keepers = [.. Enumerable.Range(0, settings.Connections).Select(slot => Task.Run(() => KeepAsync(slot)))];
    }

    /// <summary>Connections signed on now.</summary>
    public int SignedOn => _signedOn.Count(c => c is not null);

    /// <summary>Responses that matched no waiting request, oldest first.</summary>
    public ChannelReader<IsoMessageView> LateResponses => _late.Reader;

    /// <summary>Responses that matched no waiting request so far.</summary>
    public long LateCount => Interlocked.Read(ref _lateCount);

    /// <summary>
    /// Sends a request (field 37 set by the caller; 11 and 7 set here) on the next signed-on connection and waits for its
    /// response up to <paramref name="timeout"/>.
    /// </summary>
    public async Task<IsoMessageView> SendAsync(IsoMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = NextSignedOn() ?? throw new BillerUnavailableException(
            $"no connection to the biller host {_settings.Host}:{_settings.Port} is signed on");
        Stamp(request);
        return await client.SendAsync(request, timeout, cancellationToken);
    }

    /// <summary>Waits until at least <paramref name="count"/> connections are signed on (start-up, tests).</summary>
    public async Task WaitSignedOnAsync(int count, TimeSpan limit)
    {
        var until = _time.GetUtcNow() + limit;
        while (SignedOn < count)
        {
            if (_time.GetUtcNow() > until)
            {
                throw new TimeoutException($"{SignedOn} of {count} connections to the biller host signed on within {limit}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _time);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_keepers);
        _stopping.Dispose();
    }

    private IsoClient? NextSignedOn()
    {
        for (var i = 0; i < _signedOn.Length; i++)
        {
            var slot = (int)((uint)Interlocked.Increment(ref _next) % (uint)_signedOn.Length);
            if (Volatile.Read(ref _signedOn[slot]) is { } client)
            {
                return client;
            }
        }

        return null;
    }

    private void Stamp(IsoMessage request)
    {
        var stan = Interlocked.Increment(ref _stan) % 1_000_000;
        request.Set(7, _time.GetUtcNow().UtcDateTime.ToString("MMddHHmmss", CultureInfo.InvariantCulture))
            .Set(11, stan.ToString("D6", CultureInfo.InvariantCulture));
    }

    /// <summary>One connection slot for the pool's life: connect, sign on, serve and echo until it fails, back off, again.</summary>
    private async Task KeepAsync(int slot)
    {
        var backoff = _settings.FirstBackoff;
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            IsoClient? client = null;
            try
            {
                client = await ConnectAndSignOnAsync(stopping);
                Volatile.Write(ref _signedOn[slot], client);
                _logger.LogInformation("Connection {Slot} to biller host {Host}:{Port} signed on as {Institution}",
                    slot, _settings.Host, _settings.Port, _settings.Institution);
                backoff = _settings.FirstBackoff;
                var draining = DrainLateAsync(client);
                await ServeAsync(client, stopping);
                await draining;
                _logger.LogWarning("Connection {Slot} to biller host {Host}:{Port} closed; reconnecting", slot, _settings.Host, _settings.Port);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Disposed.
            }
            catch (Exception e)
            {
                if (_failures.Next(e) is (true, var notLogged))
                {
                    _logger.LogWarning("Connection {Slot} to biller host {Host}:{Port} failed ({Error}); retried in {Backoff} ({NotLogged} failures like it since the last logged)",
                        slot, _settings.Host, _settings.Port, e.Message, backoff, notLogged);
                }
            }
            finally
            {
                Volatile.Write(ref _signedOn[slot], null);
                if (client is not null)
                {
                    await client.DisposeAsync();
                }
            }

            if (stopping.IsCancellationRequested)
            {
                break;
            }

            try
            {
                // Full jitter over the second half of the wait, so many slots (and nodes) do not reconnect in step.
                await Task.Delay(backoff / 2 + backoff / 2 * Random.Shared.NextDouble(), _time, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _settings.MaxBackoff.Ticks));
        }
    }

    private async Task<IsoClient> ConnectAndSignOnAsync(CancellationToken stopping)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        limit.CancelAfter(_settings.ConnectTimeout);
        IsoClient client;
        try
        {
            client = await IsoClient.ConnectAsync(_settings.Host, _settings.Port, _codec, FrameFormat.Spec, limit.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            throw new TimeoutException($"no connection within {_settings.ConnectTimeout}");
        }

        try
        {
            var answer = await NetworkAsync(client, "001", stopping);
            return answer == "00" ? client : throw new InvalidOperationException($"the sign-on was answered {answer}");
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Until the connection closes or fails an echo: echoes it whenever <see cref="IsoBillerSettings.EchoEvery"/> passes.</summary>
    private async Task ServeAsync(IsoClient client, CancellationToken stopping)
    {
        while (true)
        {
            var echoDue = Task.Delay(_settings.EchoEvery, _time, stopping);
            if (await Task.WhenAny(client.Closed, echoDue) == client.Closed)
            {
                return;
            }

            await echoDue;
            var answer = await NetworkAsync(client, "301", stopping);
            if (answer != "00")
            {
                throw new InvalidOperationException($"an echo was answered {answer}");
            }
        }
    }

    private async Task<string?> NetworkAsync(IsoClient client, string code, CancellationToken stopping)
    {
        var request = BankRequests.Network(_settings.Institution, code);
        Stamp(request);
        request.Set(37, $"NM{request.GetString(7)![..4]}{request.GetString(11)}");
        try
        {
            return (await client.SendAsync(request, _settings.ConnectTimeout, stopping)).GetString(39);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the 0800 70={code} was not answered within {_settings.ConnectTimeout}");
        }
    }

    /// <summary>Publishes what the connection receives that no request waits for, until it closes.</summary>
    private async Task DrainLateAsync(IsoClient client)
    {
        try
        {
            while (true)
            {
                var response = await client.ReceiveUnmatchedAsync(Timeout.InfiniteTimeSpan);
                var count = Interlocked.Increment(ref _lateCount);
                _late.Writer.TryWrite(response);
                _logger.LogWarning("Biller host {Host}:{Port} answered {Mti} STAN {Stan} RRN {Rrn} with {Code} after its request gave up ({Count} late so far): kept for reconciliation, applied to nothing",
                    _settings.Host, _settings.Port, response.MtiText, response.GetString(11), response.GetString(37), response.GetString(39), count);
            }
        }
        catch (Exception e) when (e is IOException or ChannelClosedException or ObjectDisposedException or SocketException)
        {
            // The connection closed: its keeper replaces it.
        }
    }
}
