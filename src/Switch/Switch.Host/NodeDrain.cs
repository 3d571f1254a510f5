using Switch.Host.Actors;
using Switch.Host.Iso;

namespace Switch.Host;

/// <summary>
/// A node asked to stop (SIGTERM, Ctrl-C) drains before it goes: readiness goes down, its ISO 8583 banks are signed
/// off and their connections closed once what they sent is answered; then Kestrel stops, finishing the REST requests
/// in flight; last, once nothing here needs them, the node leaves the cluster, handing its shards and singletons to
/// the other nodes. Runs before the web server stops (Stopping) and after it has (Stopped).
/// </summary>
public sealed class NodeDrain(SwitchActors actors, IsoDrain iso, ILogger<NodeDrain> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan LeaveLimit = TimeSpan.FromSeconds(20);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        actors.StopServing();
        logger.LogInformation("Stopping: not ready any more; signing off the ISO 8583 banks (up to {Timeout:g})", iso.Timeout);
        if (!await iso.DrainAsync(iso.Timeout + IsoDrain.Quiet + TimeSpan.FromSeconds(1)))
        {
            logger.LogWarning("ISO 8583 connections were still open after the drain; they are closed with the listener");
        }
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await actors.LeaveAsync(LeaveLimit);
        logger.LogInformation("Left the cluster");
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
