using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Adapters.Tests.Billers;

/// <summary>
/// A biller's ISO 8583 host on a real socket, scripted by the test: <see cref="Answer"/> decides the response to each
/// request (null: none), after <see cref="Delay"/>. Counts what it received, and can drop every connection.
/// </summary>
public sealed class ScriptedBillerHost : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly Task _accepting;

    public ScriptedBillerHost()
    {
        _listener.Start();
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The response to a request: by default 0810/0110/0210 echoing 7, 11, 37 (and 4) with 39 = 00.</summary>
    public Func<IsoMessageView, IsoMessage?> Answer { get; set; } = request => Reply(request, "00");

    /// <summary>How long the host takes to answer each request.</summary>
    public Func<IsoMessageView, TimeSpan> Delay { get; set; } = _ => TimeSpan.Zero;

    public ConcurrentQueue<IsoMessageView> Received { get; } = new();

    public int Connections => _open.Count;

    public int SignOns => Received.Count(r => r.Mti == 800 && r.GetString(70) == "001");

    public static IsoMessage Reply(IsoMessageView request, string code)
    {
        var reply = new IsoMessage((request.Mti + 10).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
        foreach (var field in new[] { 4, 7, 11, 32, 37, 70 })
        {
            if (request.GetString(field) is { } value)
            {
                reply.Set(field, value);
            }
        }

        return reply.Set(39, code);
    }

    /// <summary>Closes every connection the host has now, as a host restart would.</summary>
    public void DropAll()
    {
        foreach (var client in _open.Keys)
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        DropAll();
        await _accepting;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                _open[client] = 0;
                _ = ServeAsync(client);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var reader = PipeReader.Create(stream);
        var writeLock = new SemaphoreSlim(1, 1);
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(_stopping.Token);
                var buffer = read.Buffer;
                while (FrameFormat.Spec.TryRead(ref buffer, out var frame) == FrameStatus.Message)
                {
                    var request = IsoCodec.Spec.Unpack(frame.ToArray());
                    Received.Enqueue(request);
                    _ = RespondAsync(stream, writeLock, request);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The connection or the host went away.
        }
        finally
        {
            _open.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private async Task RespondAsync(NetworkStream stream, SemaphoreSlim writeLock, IsoMessageView request)
    {
        try
        {
            await Task.Delay(Delay(request), _stopping.Token);
            if (Answer(request) is not { } reply)
            {
                return;
            }

            var frame = new byte[FrameFormat.Spec.Overhead + FrameFormat.Spec.MaxFrameLength];
            var length = IsoCodec.Spec.Pack(reply, frame.AsSpan(FrameFormat.Spec.Overhead));
            FrameFormat.Spec.WriteHeader(frame, length);
            await writeLock.WaitAsync(_stopping.Token);
            try
            {
                await stream.WriteAsync(frame.AsMemory(0, FrameFormat.Spec.Overhead + length), _stopping.Token);
            }
            finally
            {
                writeLock.Release();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The connection went away before the answer.
        }
    }
}
