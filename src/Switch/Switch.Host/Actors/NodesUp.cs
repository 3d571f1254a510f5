using Akka.Actor;
using Akka.Cluster;

namespace Switch.Host.Actors;

/// <summary>How many nodes serve the cluster now, as this node's membership view has it (at least 1: this node).</summary>
public delegate int NodesUp();

public static class ClusterNodes
{
    /// <summary>
    /// Members that are up, joining as weakly up, or leaving (still serving until they hand over), including those this
    /// node cannot reach at the moment: an unreachable node may well be serving on the other side of a partition, and
    /// counting it errs towards the smaller share. A node leaves the count once it is downed or removed.
    /// </summary>
    public static int Serving(ActorSystem system) =>
        Math.Max(1, Cluster.Get(system).State.Members.Count(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving));
}
