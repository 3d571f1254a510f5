using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Switch.Host.Rest;

/// <summary>
/// Gives the error responses Kestrel writes by itself a problem+json body like every other answer of the API. A request
/// Kestrel cannot parse (a malformed request line or header, headers over the limit, a target not in origin form) never
/// reaches the application: Kestrel answers it with a bare status, <c>Content-Length: 0</c> and <c>Connection: close</c>,
/// and closes. This connection middleware watches the bytes Kestrel hands the transport and replaces exactly that shape
/// of response (status 4xx or 5xx followed at once by those two headers, which the application's responses never are)
/// with the same status and headers and a problem body: 30 for what the client sent wrong, 12 for 405, 96 for a 5xx.
/// Every other response passes through untouched.
/// </summary>
public static class KestrelErrorBodies
{
    private static readonly byte[] Bare = "\r\nContent-Length: 0\r\nConnection: close\r\n"u8.ToArray();

    /// <summary>The connection middleware: put it on each HTTP endpoint, after UseHttps where there is TLS.</summary>
    public static ConnectionDelegate Add(ConnectionDelegate next) => connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new Duplex(transport.Input, new Writer(transport.Output));
        return next(connection);
    };

    /// <summary>
    /// The response to write instead of <paramref name="written"/> when it is one of Kestrel's bare error responses
    /// (its status line and headers, whole); otherwise null.
    /// </summary>
    public static byte[]? Replacement(ReadOnlySpan<byte> written)
    {
        // "HTTP/1.1 400 Bad Request" + the bare headers + the rest of the headers + an empty line.
        if (written.Length < 16 || !written.StartsWith("HTTP/1.1 "u8) || written[9] is not ((byte)'4' or (byte)'5')
            || !written.EndsWith("\r\n\r\n"u8))
        {
            return null;
        }

        var statusLineEnd = written.IndexOf("\r\n"u8);
        if (!written[statusLineEnd..].StartsWith(Bare) || !int.TryParse(written.Slice(9, 3), out var status))
        {
            return null;
        }

        var code = status switch
        {
            StatusCodes.Status405MethodNotAllowed => ResponseCodes.InvalidTransaction,
            >= 500 => ResponseCodes.SystemMalfunction,
            _ => ResponseCodes.FormatError,
        };
        var detail = status switch
        {
            StatusCodes.Status431RequestHeaderFieldsTooLarge => "the request's headers are over the limit",
            StatusCodes.Status405MethodNotAllowed => "the request target is not a path (origin form) or the method is not one the API takes",
            >= 500 => "the request could not be read",
            _ => "the request is not valid HTTP/1.1",
        };
        var body = Encoding.UTF8.GetBytes(
            $$"""{"type":"https://switch/problems/{{code}}","title":"{{ResponseCodes.Describe(code)}}","status":{{status}},"detail":"{{detail}}","responseCode":"{{code}}"}""");
        var otherHeaders = written[(statusLineEnd + Bare.Length)..];
        return [.. written[..statusLineEnd], .. "\r\nContent-Type: application/problem+json\r\nContent-Length: "u8,
            .. Encoding.ASCII.GetBytes(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. "\r\nConnection: close\r\n"u8,
            .. otherHeaders, .. body];
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    /// <summary>Passes everything through, looking only at what each Advance commits.</summary>
    private sealed class Writer(PipeWriter inner) : PipeWriter
    {
        private Memory<byte> _handedOut;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _handedOut = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (_handedOut = inner.GetMemory(sizeHint)).Span;

        public override void Advance(int bytes)
        {
            if (bytes > 0 && _handedOut.Length >= bytes && _handedOut.Span[0] == (byte)'H'
                && Replacement(_handedOut.Span[..bytes]) is { } replacement)
            {
                _handedOut = default;
                inner.Write(replacement.AsSpan());
                return;
            }

            _handedOut = default;
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
