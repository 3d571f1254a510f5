using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Host.Iso;

/// <summary>
/// One bank connection on Kestrel: reads frames, answers network management in order, hands financial
/// requests off to run concurrently (responses go back in any order), and closes on oversize frames, bad
/// length headers, unreadable non-requests and frames stalled for longer than the read timeout.
/// </summary>
public sealed class IsoConnectionHandler(
    IsoListenerOptions options,
    IsoRequestProcessor processor,
    ConnectionRegistry registry,
    ILogger<IsoConnectionHandler> logger) : ConnectionHandler
{
    private readonly FrameFormat _format = options.FrameFormat;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var session = new IsoSession(connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId)
        {
            ClientCertificate = TransportSecurity.Fingerprint(connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate),
        };
        registry.Opened();
        logger.LogInformation("Connection {Connection} opened from {Remote}", connection.ConnectionId, session.Remote);
        using var inFlight = new SemaphoreSlim(options.MaxInFlightPerConnection);
        await using var writer = new ResponseWriter(connection.Transport.Output, processor.Codec, _format, options.MaxInFlightPerConnection, logger);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        string reason;
        try
        {
            reason = await ReadLoopAsync(connection, session, writer, inFlight, closing.Token);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            reason = e.Message;
        }
        finally
        {
            await closing.CancelAsync();
            await DrainAsync(inFlight);
            if (session.Bank is { } bank)
            {
                registry.Unbind(bank.Code);
            }

            registry.Closed();
        }

        logger.LogInformation("Connection {Connection} from {Remote} (bank {Bank}) closed: {Reason}",
            connection.ConnectionId, session.Remote, session.Bank?.Code ?? "none", reason);
    }

    private async Task<string> ReadLoopAsync(ConnectionContext connection, IsoSession session, ResponseWriter writer, SemaphoreSlim inFlight, CancellationToken closing)
    {
        var input = connection.Transport.Input;
        var midFrame = false;
        while (true)
        {
            ReadResult result;
            if (midFrame)
            {
                // Idle between frames is fine; a frame that stops half-way is not.
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(closing);
                stall.CancelAfter(options.ReadTimeout);
                try
                {
                    result = await input.ReadAsync(stall.Token);
                }
                catch (OperationCanceledException) when (!closing.IsCancellationRequested)
                {
                    return $"a frame stalled for more than {options.ReadTimeout.TotalSeconds:0.#} s";
                }
            }
            else
            {
                result = await input.ReadAsync(closing);
            }

            var buffer = result.Buffer;
            string? closeReason;
            try
            {
                closeReason = await ReadFramesAsync(session, writer, inFlight, ref buffer, closing);
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (closeReason is not null)
            {
                return closeReason;
            }

            midFrame = !buffer.IsEmpty;
            if (result.IsCompleted)
            {
                return midFrame ? "the peer closed in the middle of a frame" : "the peer closed the connection";
            }
        }
    }

    /// <summary>Handles every whole frame in the buffer; returns why to close, or null to read on.</summary>
    private ValueTask<string?> ReadFramesAsync(IsoSession session, ResponseWriter writer, SemaphoreSlim inFlight, ref ReadOnlySequence<byte> buffer, CancellationToken closing)
    {
        var frames = new List<byte[]>();
        string? closeReason = null;
        while (closeReason is null)
        {
            var status = _format.TryRead(ref buffer, out var frame);
            switch (status)
            {
                case FrameStatus.Message:
                    frames.Add(frame.ToArray());
                    continue;
                case FrameStatus.KeepAlive:
                    continue;
                case FrameStatus.TooLarge:
                    closeReason = $"a frame announced more than {_format.MaxFrameLength} bytes";
                    break;
                case FrameStatus.BadHeader:
                    closeReason = "a frame's length header is not valid";
                    break;
            }

            if (status == FrameStatus.Incomplete)
            {
                break;
            }
        }

        return HandleFramesAsync(session, writer, inFlight, frames, closeReason, closing);
    }

    private async ValueTask<string?> HandleFramesAsync(IsoSession session, ResponseWriter writer, SemaphoreSlim inFlight, List<byte[]> frames, string? closeReason, CancellationToken closing)
    {
        foreach (var frame in frames)
        {
            var tpdu = frame.AsMemory(0, _format.HasTpdu ? FrameFormat.TpduLength : 0);
            var message = frame.AsMemory(tpdu.Length);
            if (!processor.TryParse(message, session, out var request, out var failure))
            {
                if (failure.Close)
                {
                    return failure.Why;
                }

                await writer.WriteAsync(failure, tpdu, closing);
                continue;
            }

            if (IsoRequestProcessor.IsNetworkManagement(request!))
            {
                await writer.WriteAsync(await processor.NetworkAsync(session, request!, closing), tpdu, closing);
                continue;
            }

            // Financial requests run concurrently; the cap keeps one connection from holding unbounded work.
            await inFlight.WaitAsync(closing);
            var signedOnAs = session.Bank;
            _ = Task.Run(async () =>
            {
                try
                {
                    var reply = await processor.FinancialAsync(signedOnAs, session, request!, closing);
                    await writer.WriteAsync(reply, tpdu, closing);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
                {
                    logger.LogDebug("A response to {Remote} was not sent: {Error}", session.Remote, e.Message);
                }
                finally
                {
                    inFlight.Release();
                }
            }, CancellationToken.None);
        }

        return closeReason;
    }

    private async Task DrainAsync(SemaphoreSlim inFlight)
    {
        // Wait for handed-off requests to finish so nothing outlives the connection's objects.
        for (var i = 0; i < options.MaxInFlightPerConnection; i++)
        {
            if (!await inFlight.WaitAsync(TimeSpan.FromSeconds(10)))
            {
                logger.LogWarning("Requests were still running 10 s after their connection closed");
                return;
            }
        }
    }
}
