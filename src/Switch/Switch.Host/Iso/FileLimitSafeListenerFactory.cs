using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Switch.Host.Iso;

/// <summary>
/// Keeps Kestrel's listeners accepting when the process runs out of file descriptors. Kestrel's socket transport
/// rethrows EMFILE/ENFILE from accept, and its accept loop then logs "The connection listener failed to accept
/// any new connections" and ends for good: one flood of sockets would leave the switch deaf until restarted.
/// Here, at the limit, a spare descriptor held for the purpose is freed so the waiting connection can be accepted
/// and closed at once (refused); the condition is logged once when it starts and once when it ends.
/// </summary>
public sealed class FileLimitSafeListenerFactory(IConnectionListenerFactory inner, TimeProvider time, ILogger<FileLimitSafeListenerFactory> logger)
    : IConnectionListenerFactory
{
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new Listener(await inner.BindAsync(endpoint, cancellationToken), time, logger);

    private static bool IsDescriptorLimit(SocketException e) => e.SocketErrorCode == SocketError.TooManyOpenSockets;

    /// <summary>Kestrel runs one accept loop per listener, so the fields below have one writer.</summary>
    private sealed class Listener(IConnectionListener inner, TimeProvider time, ILogger logger) : IConnectionListener
    {
        private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(10);
        private static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(1);

        private Socket? _spare = NewSpare();
        private bool _atLimit;
        private long _refused;

        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            var backoff = FirstBackoff;
            while (true)
            {
                ConnectionContext? connection;
                try
                {
                    connection = await inner.AcceptAsync(cancellationToken);
                }
                catch (SocketException e) when (IsDescriptorLimit(e))
                {
                    if (!_atLimit)
                    {
                        _atLimit = true;
                        logger.LogError("The process has no file descriptors left: new connections to {EndPoint} are closed at once until some are free (logged once)", inner.EndPoint);
                    }

                    // Without a spare to free (or when someone else took it), wait for descriptors to come back.
                    if (!await RefuseOneAsync(cancellationToken))
                    {
                        await Task.Delay(backoff, time, cancellationToken);
                        backoff = backoff * 2 < LastBackoff ? backoff * 2 : LastBackoff;
                    }

                    continue;
                }

                if (_atLimit && connection is not null)
                {
                    _atLimit = false;
                    logger.LogWarning("File descriptors are available again on {EndPoint}; {Refused} connections were refused meanwhile", inner.EndPoint, _refused);
                    _refused = 0;
                }

                _spare ??= NewSpare();
                return connection;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync()
        {
            _spare?.Dispose();
            return inner.DisposeAsync();
        }

        private async ValueTask<bool> RefuseOneAsync(CancellationToken cancellationToken)
        {
            if (_spare is null)
            {
                _spare = NewSpare();
                return false;
            }

            _spare.Dispose();
            _spare = null;
            try
            {
                if (await inner.AcceptAsync(cancellationToken) is not { } refused)
                {
                    return false;
                }

                refused.Abort(new ConnectionAbortedException("the process has no file descriptors left"));
                await refused.DisposeAsync();
                _refused++;
                return true;
            }
            catch (SocketException e) when (IsDescriptorLimit(e))
            {
                return false;
            }
            finally
            {
                _spare = NewSpare();
            }
        }

        private static Socket? NewSpare()
        {
            try
            {
                return new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            }
            catch (SocketException)
            {
                return null;
            }
        }
    }
}
