using Akka.Actor;
using Switch.Adapters.Postgres;
using Switch.Positions;

namespace Switch.Host.Actors;

/// <summary>
/// The node's actor system and the regions the rest of the host talks to; started before the listeners. It is the
/// host's position service: the flow reserves through it, and operators change caps through it.
/// </summary>
public sealed class SwitchActors(SwitchOptions options, PostgresPositionSource positionSource, TimeProvider time, IHostApplicationLifetime lifetime) : IPositions
{
    private ActorSystem? _system;
    private IActorRef? _positions;

    public ActorSystem System => _system ?? throw new InvalidOperationException("The actor system has not started.");

    /// <summary>The position shard region: one actor per bank, wherever in the cluster it lives.</summary>
    public IActorRef Positions => _positions ?? throw new InvalidOperationException("The actor system has not started.");

    /// <summary>How many nodes serve the cluster now (1 until the actor system has started).</summary>
    public int NodesUp() => _system is null ? 1 : ClusterNodes.Serving(_system);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _system = await SwitchActorSystem.StartAsync(options.Cluster.Hostname, options.Cluster.Port, options.Cluster.SeedNodes, cancellationToken,
            TransportSecurity.ForCluster(options.Cluster.Tls, time), options.Cluster.PublicHostname);
        _positions = PositionSharding.Start(_system, positionSource, options.Positions, time);
        _system.ActorOf(CapWatcher.Props(positionSource, _positions, options.Positions), "cap-watcher");
        lifetime.ApplicationStopped.Register(() => _system.Terminate().Wait(TimeSpan.FromSeconds(10)));
    }

    public async Task<bool> ReserveAsync(string bank, string reservation, long amount, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var wait = deadline - time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            throw new TimeoutException($"The reservation of payment {reservation} was asked for after its deadline.");
        }

        var answer = await Positions.Ask<Reservation>(new Reserve(bank, reservation, amount, deadline), wait, cancellationToken);
        return answer.Outcome == ReserveOutcome.TooLate
            ? throw new TimeoutException($"The reservation of payment {reservation} was not decided by its deadline.")
            : answer.Granted;
    }

    public void Confirm(string bank, string reservation) => Positions.Tell(new Confirm(bank, reservation));

    public void Release(string bank, string reservation) => Positions.Tell(new Release(bank, reservation));

    public void Reverse(string bank, long amount) => Positions.Tell(new ReverseCommitted(bank, amount));

    /// <summary>
    /// Sets a bank's net debit cap and returns once the bank's position actor enforces it (false: no such bank).
    /// For an operator endpoint: the caller authorises, and names itself for the audit record written with the change; a TimeoutException means the cap is written but
    /// the actor has not confirmed it in time (it will apply it at the next cap refresh).
    /// </summary>
    public async Task<bool> SetCapAsync(string bank, long cap, AuditActor who, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cap);
        if (!await positionSource.SetCapAsync(bank, cap, who, cancellationToken))
        {
            return false;
        }

        await Positions.Ask<CapApplied>(new RefreshCap(bank), wait, cancellationToken);
        return true;
    }
}
