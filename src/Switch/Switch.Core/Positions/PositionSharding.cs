using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Switch.Positions;

/// <summary>
/// Position actors run under cluster sharding, one per bank, even on a single node: more nodes are a matter of
/// configuration (seed nodes), not code.
/// </summary>
public static class PositionSharding
{
    public const string TypeName = "position";

    public static IActorRef Start(ActorSystem system, IPositionSource source, PositionSettings settings, TimeProvider time) =>
        ClusterSharding.Get(system).Start(TypeName, bank => PositionActor.Props(bank, source, settings, time), ClusterShardingSettings.Create(system), new BankExtractor());

    private sealed class BankExtractor() : HashCodeMessageExtractor(maxNumberOfShards: 100)
    {
        public override string EntityId(object message) => message is IPositionMessage m ? m.Bank : null!;
    }
}
