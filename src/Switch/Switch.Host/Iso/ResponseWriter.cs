using System.IO.Pipelines;
using System.Threading.Channels;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Host.Iso;

/// <summary>
/// Writes responses to one connection in whatever order they are ready. One loop packs every response waiting
/// and flushes them together: under pipelined load a send carries many responses instead of one each.
/// </summary>
public sealed class ResponseWriter : IAsyncDisposable
{
    private readonly PipeWriter _output;
    private readonly IsoCodec _codec;
    private readonly FrameFormat _format;
    private readonly ILogger _logger;
    private readonly Channel<Queued> _queue;
    private readonly Task _loop;

    /// <param name="capacity">Responses waiting to be sent; beyond it <see cref="WriteAsync"/> waits, so a bank that stops reading slows itself.</param>
    public ResponseWriter(PipeWriter output, IsoCodec codec, FrameFormat format, int capacity, ILogger logger)
    {
        _output = output;
        _codec = codec;
        _format = format;
        _logger = logger;
        _queue = Channel.CreateBounded<Queued>(new BoundedChannelOptions(capacity) { SingleReader = true });
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues the reply's response (if it has one) to go out with the next flush.</summary>
    public ValueTask WriteAsync(IsoReply reply, ReadOnlyMemory<byte> tpdu, CancellationToken cancellationToken) =>
        reply.Response is { } response ? _queue.Writer.WriteAsync(new Queued(response, reply.MacKey, tpdu), cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Sends what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                while (_queue.Reader.TryRead(out var queued))
                {
                    TryPack(queued);
                }

                // Responses finish in bursts (a journal commit completes many at once): give the rest a moment to join.
                await Task.Yield();
                while (_queue.Reader.TryRead(out var queued))
                {
                    TryPack(queued);
                }

                if ((await _output.FlushAsync()).IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The connection is gone: what was queued for it has nowhere to go.
        }

        // Whatever is still queued is dropped, and writers waiting for room are released.
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out _))
        {
        }
    }

    private void TryPack(Queued queued)
    {
        try
        {
            Pack(queued);
        }
        catch (IsoCodecException e)
        {
            // A response the profile cannot carry is the switch's bug, but its bank must still hear something (a
            // committed payment always gets an answer): 96 with the fields it matches on, or the MTI and 39 alone.
            _logger.LogError(e, "A {Mti} response could not be packed; answered 96 instead", queued.Response.Mti);
            foreach (var fallback in IsoResponses.Malfunction(queued.Response))
            {
                try
                {
                    Pack(queued with { Response = fallback });
                    return;
                }
                catch (IsoCodecException again)
                {
                    _logger.LogError(again, "The 96 standing in for a {Mti} response could not be packed either", queued.Response.Mti);
                }
            }
        }
    }

    private void Pack(Queued queued)
    {
        var requestTpdu = queued.Tpdu.Span;
        var span = _output.GetSpan(_format.Overhead + _format.MaxFrameLength);
        var body = span.Slice(_format.Overhead, _format.MaxFrameLength - requestTpdu.Length);
        var length = queued.MacKey is null ? _codec.Pack(queued.Response, body) : _codec.PackWithMac(queued.Response, body, queued.MacKey);
        _format.WriteHeader(span, requestTpdu.Length + length);
        if (!requestTpdu.IsEmpty)
        {
            var tpdu = span.Slice(_format.HeaderLength, requestTpdu.Length);
            requestTpdu.CopyTo(tpdu);
            FrameFormat.SwapTpduAddresses(tpdu);
        }

        _output.Advance(_format.Overhead + length);
    }

    private sealed record Queued(IsoMessage Response, byte[]? MacKey, ReadOnlyMemory<byte> Tpdu);
}
