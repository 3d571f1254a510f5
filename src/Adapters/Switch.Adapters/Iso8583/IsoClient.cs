using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Adapters.Iso8583;

/// <summary>
/// A bank-side ISO 8583 connection: requests are pipelined, and each response is matched to its request by
/// fields 11 and 37, as the spec has banks do. Responses that carry neither (a format-error answer has only
/// field 39) are queued for <see cref="ReceiveUnmatchedAsync"/>. A sign-off the switch sends (0800 70=002, the node is
/// stopping) is answered 0810 and completes <see cref="SignedOff"/>: the bank is to send its next requests to another
/// node. Used by the demo, tests and the load generator.
/// </summary>
public sealed class IsoClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly IsoCodec _codec;
    private readonly FrameFormat _format;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<IsoMessageView>> _pending = new();
    private readonly Channel<IsoMessageView> _unmatched = Channel.CreateUnbounded<IsoMessageView>();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TaskCompletionSource _signedOff = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private volatile bool _closed;

    private IsoClient(Socket socket, Stream stream, IsoCodec codec, FrameFormat format)
    {
        _socket = socket;
        _stream = stream;
        _codec = codec;
        _format = format;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>The bank's MAC key; when set, every request is sent with field 128.</summary>
    public byte[]? MacKey { get; set; }

    /// <summary>Completes when the server closes the connection (or it fails).</summary>
    public Task Closed => _readLoop;

    /// <summary>Completes when the switch has signed this connection off (0800 70=002): send nothing more on it.</summary>
    public Task SignedOff => _signedOff.Task;

    public static async Task<IsoClient> ConnectAsync(string host, int port, IsoCodec? codec = null, FrameFormat? format = null, CancellationToken cancellationToken = default)
    {
        var socket = await ConnectSocketAsync(host, port, cancellationToken);
        return new IsoClient(socket, new NetworkStream(socket, ownsSocket: true), codec ?? IsoCodec.Spec, format ?? FrameFormat.Spec);
    }

    /// <summary>Connects over TLS: <paramref name="tls"/> names the server, how to check its certificate and the client certificate, if any.</summary>
    public static async Task<IsoClient> ConnectTlsAsync(string host, int port, SslClientAuthenticationOptions tls, IsoCodec? codec = null, FrameFormat? format = null, CancellationToken cancellationToken = default)
    {
        var socket = await ConnectSocketAsync(host, port, cancellationToken);
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await stream.AuthenticateAsClientAsync(tls, cancellationToken);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }

        return new IsoClient(socket, stream, codec ?? IsoCodec.Spec, format ?? FrameFormat.Spec);
    }

    private static async Task<Socket> ConnectSocketAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request and waits for the response with the same fields 11 and 37.</summary>
    public async Task<IsoMessageView> SendAsync(IsoMessage request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var key = MatchKey(request.GetString(11), request.GetString(37));
        var response = new TaskCompletionSource<IsoMessageView>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, response))
        {
            throw new InvalidOperationException($"A request with STAN/RRN {key} is already waiting for its response.");
        }

        if (_closed)
        {
            // The read loop has already failed everything waiting; nothing would ever complete this one.
            _pending.TryRemove(key, out _);
            throw new IOException("The connection is closed.");
        }

        try
        {
            var buffer = ArrayPool<byte>.Shared.Rent(_format.Overhead + _format.MaxFrameLength);
            try
            {
                var body = buffer.AsSpan(_format.Overhead, _format.MaxFrameLength);
                var length = MacKey is { } macKey ? _codec.PackWithMac(request, body, macKey) : _codec.Pack(request, body);
                await SendFrameAsync(buffer, length, cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return await response.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>Sends bytes as they are, framing included: for keep-alives, malformed frames and stalls in tests.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Frames a message body (no TPDU) and sends it as it is, so malformed messages can be sent.</summary>
    public Task SendMessageBytesAsync(ReadOnlySpan<byte> message, CancellationToken cancellationToken = default)
    {
        var frame = new byte[_format.HeaderLength + message.Length];
        _format.WriteHeader(frame, message.Length);
        message.CopyTo(frame.AsSpan(_format.HeaderLength));
        return SendRawAsync(frame, cancellationToken);
    }

    /// <summary>The next response that could not be matched to a request by fields 11 and 37.</summary>
    public async Task<IsoMessageView> ReceiveUnmatchedAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        await _unmatched.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The server has already gone; there is nothing left to shut down.
        }

        await _stream.DisposeAsync();
        try
        {
            await _readLoop;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // Closing our own socket ends the read loop with an error that tells nothing new.
        }

        _writeLock.Dispose();
    }

    private async Task SendFrameAsync(byte[] buffer, int messageLength, CancellationToken cancellationToken)
    {
        if (_format.HasTpdu)
        {
            throw new NotSupportedException("IsoClient does not send TPDUs; use SendRawAsync.");
        }

        _format.WriteHeader(buffer, messageLength);
        await SendRawAsync(buffer.AsMemory(0, _format.HeaderLength + messageLength), cancellationToken);
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (true)
                {
                    var status = _format.TryRead(ref buffer, out var frame);
                    if (status == FrameStatus.Message)
                    {
                        Deliver(_codec.Unpack(frame.ToArray()));
                    }
                    else if (status != FrameStatus.KeepAlive)
                    {
                        if (status != FrameStatus.Incomplete)
                        {
                            throw new IOException($"The server sent a frame the client cannot read ({status}).");
                        }

                        break;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            _closed = true;
            await reader.CompleteAsync();
            var closed = new IOException("The connection closed before the response arrived.");
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(closed);
            }

            _unmatched.Writer.TryComplete(closed);
        }
    }

    private void Deliver(IsoMessageView response)
    {
        if (response.Mti == 800)
        {
            AnswerSwitch(response);
            return;
        }

        var key = MatchKey(response.GetString(11), response.GetString(37));
        if (!response.Has(11) || !_pending.TryGetValue(key, out var waiting) || !waiting.TrySetResult(response))
        {
            _unmatched.Writer.TryWrite(response);
        }
    }

    /// <summary>Answers a network management request from the switch 0810 00; a sign-off also completes <see cref="SignedOff"/>.</summary>
    private void AnswerSwitch(IsoMessageView request)
    {
        var answer = new IsoMessage("0810");
        foreach (var field in new[] { 7, 11, 32, 70 })
        {
            if (request.GetString(field) is { } value)
            {
                answer.Set(field, value);
            }
        }

        answer.Set(39, "00");
        if (request.GetString(70) == "002")
        {
            _signedOff.TrySetResult();
        }

        _ = SendOneWayAsync(answer);
    }

    private async Task SendOneWayAsync(IsoMessage message)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_format.Overhead + _format.MaxFrameLength);
        try
        {
            var body = buffer.AsSpan(_format.Overhead, _format.MaxFrameLength);
            var length = MacKey is { } macKey ? _codec.PackWithMac(message, body, macKey) : _codec.Pack(message, body);
            await SendFrameAsync(buffer, length, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or NotSupportedException)
        {
            // The connection is closing; the switch does not need the answer to close it.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string MatchKey(string? stan, string? rrn) => $"{stan}|{rrn}";
}
