using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace Switch.Host.Actors;

/// <summary>
/// The node's actor system: a cluster of one by default (it joins itself), so sharded position actors work the
/// same on one node as on many. More nodes: give them each other's addresses as seed nodes.
/// </summary>
public static class SwitchActorSystem
{
    public static async Task<ActorSystem> StartAsync(string hostname = "127.0.0.1", int port = 0, IReadOnlyList<string>? seedNodes = null, CancellationToken cancellationToken = default)
    {
        var seeds = string.Join(", ", (seedNodes ?? []).Select(s => $"\"{s}\""));
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = INFO
              actor.provider = cluster
              remote.dot-netty.tcp { hostname = "{{hostname}}", port = {{port}} }
              cluster {
                seed-nodes = [{{seeds}}]
                sharding.state-store-mode = ddata
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              }
            }
            """)
            // Sharding's and distributed data's serializers from the start: otherwise a node that joins receives the others'
            // replicator gossip before sharding starts here, cannot read it, and the shard coordinator's state updates time out.
            .WithFallback(Akka.Cluster.Sharding.ClusterSharding.DefaultConfig())
            .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig());
        var system = ActorSystem.Create("switch", config);
        var cluster = Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(up.SetResult);
        if (seedNodes is not { Count: > 0 })
        {
            cluster.Join(cluster.SelfAddress);
        }

        await up.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return system;
    }
}
