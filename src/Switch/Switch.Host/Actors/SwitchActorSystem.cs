using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace Switch.Host.Actors;

/// <summary>
/// The node's actor system: a cluster of one by default (it joins itself), so sharded position actors work the
/// same on one node as on many. More nodes: give every node the same list of seed nodes, in the same order.
/// </summary>
/// <remarks>
/// Formation: with several seeds, only the first one may start a cluster, and only once none of the others answers
/// within the seed-node timeout; every other node, the first seed restarted included, joins the cluster a seed
/// answers for. A node never forms a cluster of its own while another seed is up.
/// Partitions: keep-majority. The side with more than half of the members stays; the other downs itself (and its
/// process exits, see <see cref="SwitchActors"/>). It needs no setting that must match the number of nodes
/// (static-quorum does, and a wrong quorum after adding nodes lets two sides live), and unlike keep-oldest it never
/// keeps a lone oldest node while downing the two others. It is a decision both sides of a partition reach alone and
/// cannot both win: a strict majority exists on at most one side. An even split is broken by the lowest address,
/// which is why a cluster should have an odd number of nodes, three or more: with two, losing either node has an even
/// chance of stopping the survivor too.
/// </remarks>
public static class SwitchActorSystem
{
    /// <param name="tls">TLS between nodes (TransportSecurity.ForCluster); addresses are then akka.ssl.tcp://.</param>
    public static async Task<ActorSystem> StartAsync(SwitchOptions.ClusterSettings? settings = null, DotNettySslSetup? tls = null, CancellationToken cancellationToken = default)
    {
        settings ??= new SwitchOptions.ClusterSettings();
        var setup = BootstrapSetup.Create().WithConfig(Config(settings, tls is not null));
        var system = tls is null ? ActorSystem.Create("switch", setup) : ActorSystem.Create("switch", setup.And(tls));
        try
        {
            var cluster = Cluster.Get(system);
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cluster.RegisterOnMemberUp(up.SetResult);
            if (settings.SeedNodes.Count == 0)
            {
                cluster.Join(cluster.SelfAddress);
            }

            await up.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return system;
        }
        catch
        {
            // A node that could not join (no seed answered, or its certificate was refused) must not keep trying in the background.
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    /// <summary>
    /// The cluster's settings. The failure detector and the resolver are set for a LAN on a loaded machine: a node is
    /// unreachable after <see cref="SwitchOptions.ClusterSettings.UnreachableAfter"/> without heartbeats (a GC or a busy
    /// second does not reach it), downed <see cref="SwitchOptions.ClusterSettings.DownAfter"/> later if it stays so, and
    /// its shards start elsewhere <see cref="SwitchOptions.ClusterSettings.HandOverMargin"/> after its removal. The host
    /// runs the coordinated shutdown itself, after draining, rather than on process exit.
    /// </summary>
    public static Config Config(SwitchOptions.ClusterSettings settings, bool tls = false)
    {
        var seeds = string.Join(", ", settings.SeedNodes.Select(s => $"\"{s}\""));
        var advertised = string.IsNullOrWhiteSpace(settings.PublicHostname) ? settings.Hostname : settings.PublicHostname;
        var positionBindings = string.Join(", ", PositionSerializer.Messages.Select(t => $"\"{TypeName(t)}\" = positions"));
        return ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = INFO
              actor.provider = cluster
              actor.serializers.positions = "{{TypeName(typeof(PositionSerializer))}}"
              actor.serialization-bindings { {{positionBindings}} }
              coordinated-shutdown.run-by-clr-shutdown-hook = off
              remote.dot-netty.tcp { hostname = "{{settings.Hostname}}", public-hostname = "{{advertised}}", port = {{settings.Port}}, enable-ssl = {{(tls ? "on" : "off")}} }
              cluster {
                seed-nodes = [{{seeds}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{Duration(settings.DownAfter)}}
                  # A membership that keeps changing this long is not a partition the resolver can judge: everyone is downed.
                  down-all-when-unstable = {{Duration(settings.DownAfter * 5)}}
                }
                down-removal-margin = {{Duration(settings.HandOverMargin)}}
                # Decisions spread and are acted on in half a second rather than a second: three nodes gossip little.
                gossip-interval = 500ms
                leader-actions-interval = 500ms
                unreachable-nodes-reaper-interval = 250ms
                failure-detector {
                  heartbeat-interval = 1s
                  acceptable-heartbeat-pause = {{Duration(settings.UnreachableAfter)}}
                }
                sharding.state-store-mode = ddata
              }
            }
            """)
            .WithFallback(ClusterSingleton.DefaultConfig())
            // Sharding's and distributed data's serializers from the start: otherwise a node that joins receives the others'
            // replicator gossip before sharding starts here, cannot read it, and the shard coordinator's state updates time out.
            .WithFallback(Akka.Cluster.Sharding.ClusterSharding.DefaultConfig())
            .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig());
    }

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    private static string Duration(TimeSpan span) => $"{Math.Max(1, (long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}ms";
}
