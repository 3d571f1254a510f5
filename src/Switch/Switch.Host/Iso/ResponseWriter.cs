using System.IO.Pipelines;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Host.Iso;

/// <summary>Writes responses to one connection, one at a time, in whatever order they are ready.</summary>
public sealed class ResponseWriter(PipeWriter output, IsoCodec codec, FrameFormat format) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async ValueTask WriteAsync(IsoReply reply, ReadOnlyMemory<byte> tpdu, CancellationToken cancellationToken)
    {
        if (reply.Response is not { } response)
        {
            return;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            Pack(response, reply.MacKey, tpdu.Span);
            await output.FlushAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();

    private void Pack(IsoMessage response, byte[]? macKey, ReadOnlySpan<byte> requestTpdu)
    {
        var span = output.GetSpan(format.Overhead + format.MaxFrameLength);
        var body = span.Slice(format.Overhead, format.MaxFrameLength - requestTpdu.Length);
        var length = macKey is null ? codec.Pack(response, body) : codec.PackWithMac(response, body, macKey);
        format.WriteHeader(span, requestTpdu.Length + length);
        if (!requestTpdu.IsEmpty)
        {
            var tpdu = span.Slice(format.HeaderLength, requestTpdu.Length);
            requestTpdu.CopyTo(tpdu);
            FrameFormat.SwapTpduAddresses(tpdu);
        }

        output.Advance(format.Overhead + length);
    }
}
