using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Host.Iso;

/// <summary>
/// One bank connection on Kestrel: reads frames, answers network management in order, hands financial
/// requests off to run concurrently (responses go back in any order), and closes on oversize frames, bad
/// length headers, unreadable non-requests, frames not received whole within the read timeout of their first
/// byte, and connections not signed on within the sign-on timeout. Connections beyond the caps are closed at once.
/// </summary>
public sealed class IsoConnectionHandler(
    IsoListenerOptions options,
    IsoRequestProcessor processor,
    ConnectionRegistry registry,
    BankConnectionPlaces places,
    IsoDrain drain,
    TimeProvider time,
    ILogger<IsoConnectionHandler> logger) : ConnectionHandler
{
    private readonly FrameFormat _format = options.FrameFormat;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var session = new IsoSession(connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId)
        {
            ClientCertificate = TransportSecurity.Fingerprint(connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate),
        };
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? session.Remote;
        if (drain.Draining)
        {
            // The node is stopping: a bank connecting now is to go to another node.
            connection.Abort(new ConnectionAbortedException("the node is stopping"));
            return;
        }

        if (registry.TryOpen(address, options.MaxConnections, options.MaxConnectionsPerAddress) is { } refusal)
        {
            // Refused at once and logged once per run of refusals: a flood must not also flood the log.
            if (registry.Refused())
            {
                logger.LogWarning("Refusing new ISO 8583 connections: {Why} (logged once until a connection is admitted again)", refusal);
            }

            connection.Abort(new ConnectionAbortedException(refusal));
            return;
        }

        if (registry.Admitted() is { } refused)
        {
            logger.LogWarning("Admitting ISO 8583 connections again; {Refused} were refused", refused);
        }

        logger.LogInformation("Connection {Connection} opened from {Remote}", connection.ConnectionId, session.Remote);
        using var inFlight = new SemaphoreSlim(options.MaxInFlightPerConnection);
        await using var writer = new ResponseWriter(connection.Transport.Output, processor.Codec, _format, options.MaxInFlightPerConnection, logger);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        var signOnMissed = false;
        using var signOnDeadline = new CancellationTokenSource(options.SignOnTimeout, time);
        using var signOnCheck = signOnDeadline.Token.Register(() =>
        {
            if (session.Bank is null)
            {
                signOnMissed = true;
                closing.Cancel();
            }
        });
        var drained = false;
        drain.Opened();
        using var onDrain = drain.Begun.Register(() => _ = SignOffAsync(session, writer, inFlight, () =>
        {
            drained = true;
            closing.Cancel();
        }));
        string reason;
        try
        {
            reason = await ReadLoopAsync(connection, session, writer, inFlight, closing.Token);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            reason = signOnMissed ? $"not signed on within {options.SignOnTimeout.TotalSeconds:0.#} s"
                : drained ? "the node is stopping; the bank was signed off" : e.Message;
        }
        finally
        {
            drain.Closed();
            await closing.CancelAsync();
            await DrainAsync(inFlight);
            if (session.Bank is { } bank)
            {
                places.Release(bank.Code);
            }

            registry.Closed(address);
        }

        logger.LogInformation("Connection {Connection} from {Remote} (bank {Bank}) closed: {Reason}",
            connection.ConnectionId, session.Remote, session.Bank?.Code ?? "none", reason);
    }

    private async Task<string> ReadLoopAsync(ConnectionContext connection, IsoSession session, ResponseWriter writer, SemaphoreSlim inFlight, CancellationToken closing)
    {
        var input = connection.Transport.Input;
        // Idle between frames is fine; a frame must arrive whole within the read timeout of its first byte.
        CancellationTokenSource? frameDeadline = null;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(frameDeadline?.Token ?? closing);
                }
                catch (OperationCanceledException) when (!closing.IsCancellationRequested)
                {
                    return $"a frame did not arrive whole within {options.ReadTimeout.TotalSeconds:0.#} s of its first byte";
                }

                var buffer = result.Buffer;
                var received = buffer.Length;
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

                // A frame taken off the buffer ends its deadline; bytes left after it began a new frame in this read.
                if (buffer.Length < received || buffer.IsEmpty)
                {
                    frameDeadline?.Dispose();
                    frameDeadline = null;
                }

                if (!buffer.IsEmpty && frameDeadline is null)
                {
                    frameDeadline = CancellationTokenSource.CreateLinkedTokenSource(closing);
                    frameDeadline.CancelAfter(options.ReadTimeout);
                }

                if (result.IsCompleted)
                {
                    return buffer.IsEmpty ? "the peer closed the connection" : "the peer closed in the middle of a frame";
                }
            }
        }
        finally
        {
            frameDeadline?.Dispose();
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
            session.LastFrameAt = time.GetUtcNow();
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
                var reply = await processor.NetworkAsync(session, request!, closing);
                await writer.WriteAsync(reply, tpdu, closing);
                if (reply.Close)
                {
                    return reply.Why;
                }

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

    /// <summary>
    /// The node is stopping: tells the bank to move (0800 70=002), answers what it has already sent, and closes once it
    /// has nothing in progress and has been quiet a moment, or at the drain timeout. A connection not signed on closes at once.
    /// </summary>
    private async Task SignOffAsync(IsoSession session, ResponseWriter writer, SemaphoreSlim inFlight, Action close)
    {
        try
        {
            if (session.Bank is { } bank)
            {
                var tpdu = _format.HasTpdu ? new byte[FrameFormat.TpduLength] : [];
                await writer.WriteAsync(new IsoReply(drain.SignOff(bank), bank.MacRequired ? bank.MacKey : null), tpdu, CancellationToken.None);
                logger.LogInformation("Bank {Bank} on {Remote} signed off: the node is stopping", bank.Code, session.Remote);
                var until = time.GetUtcNow() + drain.Timeout;
                while (time.GetUtcNow() < until
                    && (inFlight.CurrentCount < options.MaxInFlightPerConnection || time.GetUtcNow() - session.LastFrameAt < IsoDrain.Quiet))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time);
                }
            }

            close();
        }
        catch (Exception e) when (e is ObjectDisposedException or ChannelClosedException or OperationCanceledException or InvalidOperationException)
        {
            // The connection closed on its own meanwhile.
        }
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
