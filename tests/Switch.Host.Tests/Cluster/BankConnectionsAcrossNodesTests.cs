using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Iso;

namespace Switch.Host.Tests.Cluster;

/// <summary>Three nodes with a short connection lease, so that a killed node's connections stop counting quickly.</summary>
public sealed class ShortLeaseClusterFixture : ClusterFixture
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    protected override IReadOnlyDictionary<string, string?> NodeSettings(int index) =>
        new Dictionary<string, string?> { ["Switch__Iso__ConnectionLease"] = Lease.ToString() };
}

/// <summary>A bank's max_connections over real node processes: counted across the cluster, and a dead node's places freed.</summary>
[Collection(ProcessHeavyCollection.Name)]
public sealed class BankConnectionsAcrossNodesTests(ShortLeaseClusterFixture cluster) : IClassFixture<ShortLeaseClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly List<IsoClient> _signedOn = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _signedOn)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Max_connections_holds_across_nodes_and_a_killed_nodes_connections_stop_counting_after_its_lease()
    {
        var bank = await TestData.Bank(cluster.Postgres, cap: 1_000_000);
        await cluster.Postgres.Scalar<int>("with changed as (update banks set max_connections = 2 where code = $1 returning 1) select count(*)::int from changed", bank);
        await using var onFirst = await cluster[0].SignedOnAsync(bank);
        await using var onLast = await cluster[2].SignedOnAsync(bank);

        var third = await SignOnAsync(cluster[1], bank);
        await cluster[2].KillAsync();
        var killedAt = DateTime.UtcNow;
        string? afterKill;
        do
        {
            afterKill = await SignOnAsync(cluster[1], bank);
        }
        while (afterKill != "00" && DateTime.UtcNow - killedAt < TimeSpan.FromSeconds(30));

        Assert.Equal("91", third);
        Assert.True(afterKill == "00", $"a sign-on was still refused ({afterKill}) 30 s after the node holding a connection was killed; node 1's log ends:\n{cluster[1].Tail()}");
    }

    /// <summary>Signs on at <paramref name="node"/> on a new connection, kept open when signed on (its place stays taken); the answer's code.</summary>
    private async Task<string?> SignOnAsync(NodeProcess node, string bank)
    {
        var client = await IsoClient.ConnectAsync("127.0.0.1", node.IsoPort);
        var code = (await client.SendAsync(BankMessages.Network(bank, "001"), Wait)).GetString(39);
        if (code != "00")
        {
            await client.DisposeAsync();
            return code;
        }

        _signedOn.Add(client);
        return code;
    }
}
