using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Iso;

namespace Switch.Host.Tests.Cluster;

/// <summary>Three real nodes, each given every node as a seed, form one cluster and each takes payments.</summary>
[Collection(ClusterFixture.Shared)]
public sealed class ClusterFormationTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Three_nodes_form_one_cluster_and_each_approves_a_payment()
    {
        foreach (var node in cluster.Nodes)
        {
            var up = await ClusterFixture.WaitForMembersUpAsync(node, 3, TimeSpan.FromSeconds(30));
            Assert.Equal(cluster.SeedNodes.Order(), up.Order());
        }

        var bank = await TestData.Bank(cluster.Postgres, cap: 1_000_000);
        foreach (var node in cluster.Nodes)
        {
            await using var client = await node.SignedOnAsync(bank);
            var response = await client.SendAsync(BankMessages.Payment(bank, "0500000001", 1_000, biller: "TOPUP", channel: "MB"), TimeSpan.FromSeconds(10));
            Assert.True(response.GetString(39) == "00", $"node {node.Index} answered {response.GetString(39)}; its log ends:\n{node.Tail()}");
        }

        Assert.Equal(3_000, await cluster.Postgres.Scalar<long>(
            "select coalesce(sum(amount), 0)::bigint from payments where bank_code = $1 and response_code = '00'", bank));
    }
}
