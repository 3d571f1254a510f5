using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace Switch.Host.Actors;

/// <summary>
/// The node's actor system: a cluster of one by default (it joins itself), so sharded position actors work the
/// same on one node as on many. More nodes: give them each other's addresses as seed nodes.
/// </summary>
public static class SwitchActorSystem
{
    /// <param name="hostname">The interface the node binds; other nodes reach it there unless <paramref name="publicHostname"/> is given.</param>
    /// <param name="tls">TLS between nodes (TransportSecurity.ForCluster); addresses are then akka.ssl.tcp://.</param>
    public static async Task<ActorSystem> StartAsync(string hostname = "127.0.0.1", int port = 0, IReadOnlyList<string>? seedNodes = null, CancellationToken cancellationToken = default,
        DotNettySslSetup? tls = null, string? publicHostname = null)
    {
        var seeds = string.Join(", ", (seedNodes ?? []).Select(s => $"\"{s}\""));
        var advertised = string.IsNullOrWhiteSpace(publicHostname) ? hostname : publicHostname;
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = INFO
              actor.provider = cluster
              remote.dot-netty.tcp { hostname = "{{hostname}}", public-hostname = "{{advertised}}", port = {{port}}, enable-ssl = {{(tls is null ? "off" : "on")}} }
              cluster {
                seed-nodes = [{{seeds}}]
                sharding.state-store-mode = ddata
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              }
            }
            """);
        var setup = BootstrapSetup.Create().WithConfig(config);
        var system = tls is null ? ActorSystem.Create("switch", setup) : ActorSystem.Create("switch", setup.And(tls));
        try
        {
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
        catch
        {
            // A node that could not join (no seed answered, or its certificate was refused) must not keep trying in the background.
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }
}
