using System.Net;
using System.Net.Sockets;

namespace Switch.Host.Tests.Infrastructure;

/// <summary>
/// A TCP relay to a real server that a test can cut: <see cref="Cut"/> drops every relayed connection and refuses
/// new ones until <see cref="Restore"/>, as when the server's host goes down.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _cut;
    private int _refused;

    public TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections refused while cut: how often the switch tried to reach the server meanwhile.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public void Cut()
    {
        lock (_open)
        {
            _cut = true;
            _open.ForEach(c => c.Dispose());
            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_cut)
            {
                Interlocked.Increment(ref _refused);
                client.Dispose();
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
            lock (_open)
            {
                // A cut made while this connection was being set up must end it too: none may outlive a cut.
                if (_cut)
                {
                    Interlocked.Increment(ref _refused);
                    return;
                }

                _open.Add(client);
                _open.Add(server);
            }

            await Task.WhenAny(client.GetStream().CopyToAsync(server.GetStream()), server.GetStream().CopyToAsync(client.GetStream()));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Either side went away; the other goes with it below.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
