using Microsoft.Extensions.Logging.Abstractions;
using Switch.Adapters.Redis;
using Switch.Host.Iso;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Iso;

/// <summary>
/// A bank's max_connections across nodes, counted in the real Redis: two nodes (each its own registry and lease) hold
/// no more than the limit together, a place given back is free for the other node, and the places of a node that dies
/// are free again once its lease expires; without Redis a node keeps to its share.
/// </summary>
public sealed class BankConnectionPlacesTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(1);

    private readonly List<IDisposable> _disposables = [];

    private static string RedisAddress => Environment.GetEnvironmentVariable("Switch__Redis__ConnectionString") ?? throw new InvalidOperationException("Run with ./switch test.");

    [Fact]
    public async Task Two_nodes_hold_the_banks_limit_together_and_a_dead_nodes_places_free_up_when_its_lease_expires()
    {
        var bank = "MC" + Guid.NewGuid().ToString("N")[..8];
        var nodeA = Node(RedisAddress, "A" + bank);
        var nodeB = Node(RedisAddress, "B" + bank);

        bool[] taken = [await nodeA.TryTakeAsync(bank, 3, default), await nodeA.TryTakeAsync(bank, 3, default), await nodeB.TryTakeAsync(bank, 3, default)];
        var fourthOnB = await nodeB.TryTakeAsync(bank, 3, default);
        var fourthOnA = await nodeA.TryTakeAsync(bank, 3, default);
        nodeB.Release(bank);
        var afterRelease = await Eventually(() => nodeA.TryTakeAsync(bank, 3, default));
        // Node A dies holding its 3 places: no release, no renewal.
        var whileALives = await nodeB.TryTakeAsync(bank, 3, default);
        var afterLease = await Eventually(() => nodeB.TryTakeAsync(bank, 3, default));

        Assert.All(taken, Assert.True);
        Assert.False(fourthOnB);
        Assert.False(fourthOnA);
        Assert.True(afterRelease, "the place node B gave back did not become free");
        Assert.False(whileALives);
        Assert.True(afterLease, "the dead node's places were still counted after its lease");
    }

    [Fact]
    public async Task Without_redis_a_node_grants_its_share_of_the_limit_over_the_nodes_up()
    {
        var bank = "MC" + Guid.NewGuid().ToString("N")[..8];
        var unreachable = $"127.0.0.1:{HostFixture.FreePort()},connectTimeout=200";
        var node = Node(unreachable, "A" + bank, nodesUp: 3);

        var granted = 0;
        for (var i = 0; i < 9; i++)
        {
            granted += await node.TryTakeAsync(bank, 9, default) ? 1 : 0;
        }

        Assert.Equal(3, granted);
    }

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    private BankConnectionPlaces Node(string redisAddress, string name, int nodesUp = 2)
    {
        var options = new SwitchOptions { Iso = { ConnectionLease = Lease } };
        var counter = new RedisConnectionCounter(redisAddress, TimeSpan.FromSeconds(2), name, Lease);
        _disposables.Add(counter);
        return new BankConnectionPlaces(new ConnectionRegistry(), counter, options, () => nodesUp, NullLogger<BankConnectionPlaces>.Instance);
    }

    /// <summary>Tries until the attempt succeeds or 10 s pass (a lease expiring, a release reaching Redis).</summary>
    private static async Task<bool> Eventually(Func<ValueTask<bool>> attempt)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await attempt())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }
}
