using Akka.Actor;
using Switch.Adapters.Postgres;
using Switch.Positions;

namespace Switch.Host.Actors;

/// <summary>The node's actor system and the regions the rest of the host talks to; started before the listeners.</summary>
public sealed class SwitchActors(SwitchOptions options, PostgresPositionSource positionSource, IHostApplicationLifetime lifetime) : IPositions
{
    private ActorSystem? _system;
    private IActorRef? _positions;

    /// <summary>The position shard region: one actor per bank, wherever in the cluster it lives.</summary>
    public IActorRef Positions => _positions ?? throw new InvalidOperationException("The actor system has not started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _system = await SwitchActorSystem.StartAsync(options.Cluster.Hostname, options.Cluster.Port, options.Cluster.SeedNodes, cancellationToken);
        _positions = PositionSharding.Start(_system, positionSource);
        lifetime.ApplicationStopped.Register(() => _system.Terminate().Wait(TimeSpan.FromSeconds(10)));
    }

    public async Task<bool> ReserveAsync(string bank, string reservation, long amount, CancellationToken cancellationToken) =>
        (await Positions.Ask<Reservation>(new Reserve(bank, reservation, amount), options.RequestTimeout, cancellationToken)).Granted;

    public void Confirm(string bank, string reservation) => Positions.Tell(new Confirm(bank, reservation));

    public void Release(string bank, string reservation) => Positions.Tell(new Release(bank, reservation));

    public void Reverse(string bank, long amount) => Positions.Tell(new ReverseCommitted(bank, amount));
}
