using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Iso;

namespace Switch.Host.Tests.Cluster;

/// <summary>
/// Two real nodes configured as README's production section says, with node certificates of the cluster's CA in PEM
/// files (Switch:Cluster:Tls) and akka.ssl.tcp seeds: they form one cluster over mutual TLS, and payments through either
/// node reach the bank's position wherever it lives. (A certificate of another CA being refused: ClusterTlsTests.)
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class ClusterTlsNodesTests(ClusterTlsNodesTests.TwoTlsNodes cluster) : IClassFixture<ClusterTlsNodesTests.TwoTlsNodes>
{
    [Fact]
    public async Task Two_nodes_with_the_clusters_certificates_form_one_cluster_over_tls_and_take_payments()
    {
        foreach (var node in cluster.Nodes)
        {
            var up = await ClusterFixture.WaitForMembersUpAsync(node, 2, TimeSpan.FromSeconds(30));
            Assert.Equal(cluster.SeedNodes.Order(), up.Order());
            Assert.All(up, address => Assert.StartsWith("akka.ssl.tcp://", address, StringComparison.Ordinal));
        }

        var bank = await TestData.Bank(cluster.Postgres, cap: 1_000_000);
        foreach (var node in cluster.Nodes)
        {
            await using var client = await node.SignedOnAsync(bank);
            var response = await client.SendAsync(BankMessages.Payment(bank, "0500000001", 1_000, biller: "TOPUP", channel: "MB"), TimeSpan.FromSeconds(10));
            Assert.True(response.GetString(39) == "00", $"node {node.Index} answered {response.GetString(39)}; its log ends:\n{node.Tail()}");
        }
    }

    public sealed class TwoTlsNodes : ClusterFixture, IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("switch-cluster-tls-nodes-").FullName;
        private readonly TestCertificates _ca = new("Switch Cluster CA");

        protected override int Size => 2;

        protected override string SeedAddress(int akkaPort) => $"akka.ssl.tcp://switch@127.0.0.1:{akkaPort}";

        protected override IReadOnlyDictionary<string, string?> NodeSettings(int index)
        {
            var caFile = Path.Combine(_folder, "cluster-ca.pem");
            File.WriteAllText(caFile, _ca.CaPem);
            return new Dictionary<string, string?>
            {
                ["Switch__Cluster__Tls__Certificate__File"] = TestCertificates.WritePem(_ca.Node($"node{index}"), Path.Combine(_folder, $"node{index}.pem")),
                ["Switch__Cluster__Tls__CaFile"] = caFile,
            };
        }

        public void Dispose()
        {
            _ca.Dispose();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
