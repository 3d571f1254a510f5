using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Switch.Host.Iso;

namespace Switch.Host.Tests.Iso;

public class FileLimitSafeListenerFactoryTests
{
    [Fact]
    public async Task Accepting_survives_the_descriptor_limit_refuses_the_waiting_connection_and_logs_once_each_way()
    {
        var refused = new FakeConnection();
        var served = new FakeConnection();
        var inner = new FakeListener(
            () => throw new SocketException((int)SocketError.TooManyOpenSockets),
            () => refused,
            () => throw new SocketException((int)SocketError.TooManyOpenSockets),
            () => throw new SocketException((int)SocketError.TooManyOpenSockets),
            () => served);
        var log = new ListLogger();
        var factory = new FileLimitSafeListenerFactory(new FakeFactory(inner), TimeProvider.System, log);
        await using var listener = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));

        var accepted = await listener.AcceptAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Same(served, accepted);
        Assert.True(refused.Aborted);
        Assert.False(served.Aborted);
        Assert.Equal(2, log.Lines.Count);
        Assert.Contains("no file descriptors left", log.Lines[0]);
        Assert.Contains("available again", log.Lines[1]);
    }

    [Fact]
    public async Task Other_accept_errors_still_reach_kestrel()
    {
        var inner = new FakeListener(() => throw new SocketException((int)SocketError.AccessDenied));
        var factory = new FileLimitSafeListenerFactory(new FakeFactory(inner), TimeProvider.System, new ListLogger());
        await using var listener = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));

        await Assert.ThrowsAsync<SocketException>(async () => await listener.AcceptAsync());
    }

    private sealed class FakeFactory(IConnectionListener listener) : IConnectionListenerFactory
    {
        public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) => ValueTask.FromResult(listener);
    }

    private sealed class FakeListener(params Func<ConnectionContext>[] accepts) : IConnectionListener
    {
        private int _next;

        public EndPoint EndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 5800);

        public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<ConnectionContext?>(accepts[Math.Min(_next++, accepts.Length - 1)]());

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class FakeConnection : ConnectionContext
    {
        public bool Aborted { get; private set; }

        public override string ConnectionId { get; set; } = Guid.NewGuid().ToString();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override IDuplexPipe Transport { get; set; } = null!;

        public override void Abort(ConnectionAbortedException abortReason) => Aborted = true;
    }

    private sealed class ListLogger : ILogger<FileLimitSafeListenerFactory>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
