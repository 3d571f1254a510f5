using Akka.Actor;
using Akka.Cluster;
using Switch.Host.Actors;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Membership;

/// <summary>
/// Node-to-node traffic over TLS with certificates from configured files: a node whose certificate the cluster's CA
/// issued joins; a node with a certificate of another CA does not, although it trusts the cluster's CA itself.
/// </summary>
public sealed class ClusterTlsTests : IDisposable
{
    private static readonly TimeSpan JoinTime = TimeSpan.FromSeconds(15);

    private readonly string _folder = Directory.CreateTempSubdirectory("switch-cluster-tls-").FullName;
    private readonly TestCertificates _clusterCa = new("Switch Cluster CA");
    private readonly TestCertificates _otherCa = new("Another CA");

    [Fact]
    public async Task A_node_with_a_certificate_of_the_clusters_ca_joins_and_one_of_another_ca_is_refused()
    {
        var first = await StartNodeAsync(Tls("first", _clusterCa), seeds: null);
        try
        {
            var seed = Akka.Cluster.Cluster.Get(first).SelfAddress.ToString();
            var intruder = StartNodeAsync(Tls("intruder", _otherCa), [seed], JoinTime);
            var second = await StartNodeAsync(Tls("second", _clusterCa), [seed]);
            try
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => intruder);
                Assert.StartsWith("akka.ssl.tcp://", seed, StringComparison.Ordinal);
                Assert.Equal(2, ClusterNodes.Serving(first));
                Assert.Equal(2, Akka.Cluster.Cluster.Get(first).State.Members.Count);
            }
            finally
            {
                await second.Terminate();
            }
        }
        finally
        {
            await first.Terminate();
        }
    }

    public void Dispose()
    {
        _clusterCa.Dispose();
        _otherCa.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A node's TLS settings as the switch reads them: its certificate from a PEM file, the cluster's CA from another.</summary>
    private ClusterTlsSettings Tls(string node, TestCertificates issuer) => new()
    {
        Certificate = new CertificateSettings { File = TestCertificates.WritePem(issuer.Node(node), Path.Combine(_folder, $"{node}.pem")) },
        CaFile = WriteCa(),
    };

    private string WriteCa()
    {
        var path = Path.Combine(_folder, "cluster-ca.pem");
        File.WriteAllText(path, _clusterCa.CaPem);
        return path;
    }

    private static async Task<ActorSystem> StartNodeAsync(ClusterTlsSettings tls, IReadOnlyList<string>? seeds, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        return await SwitchActorSystem.StartAsync(new SwitchOptions.ClusterSettings { SeedNodes = [.. seeds ?? []] }, TransportSecurity.ForCluster(tls, TimeProvider.System), timeout.Token);
    }
}
