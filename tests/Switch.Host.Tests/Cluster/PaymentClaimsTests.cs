using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Host.Tests.Infrastructure;
using Switch.Transactions;

namespace Switch.Host.Tests.Cluster;

/// <summary>
/// Payment keys claimed in PostgreSQL as two nodes see them (two claim stores, two sessions): a key one node holds is
/// refused to the other until released, and a node whose session PostgreSQL loses frees its claims with it.
/// </summary>
public sealed class PaymentClaimsTests : IAsyncDisposable
{
    private readonly TcpProxy _proxy;
    private readonly NpgsqlDataSource _behindProxy;
    private readonly NpgsqlDataSource _direct = NpgsqlDataSource.Create(HostFixture.RequireServers());

    public PaymentClaimsTests()
    {
        var direct = new NpgsqlConnectionStringBuilder(HostFixture.RequireServers());
        _proxy = new TcpProxy(direct.Host!, direct.Port);
        _behindProxy = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = _proxy.Port, Timeout = 2 }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _behindProxy.DisposeAsync();
        await _proxy.DisposeAsync();
        await _direct.DisposeAsync();
    }

    [Fact]
    public async Task A_key_held_on_one_node_is_refused_to_another_until_released_and_others_are_free()
    {
        await using var nodeA = Claims(_direct);
        await using var nodeB = Claims(_direct);
        var key = NewKey();

        Assert.True(await nodeA.ClaimAsync(key, default));
        Assert.False(await nodeB.ClaimAsync(key, default));
        Assert.True(await nodeB.ClaimAsync(key with { Reference = "000000000002" }, default));
        Assert.True(await nodeB.ClaimAsync(key with { LocalDate = "1207" }, default));

        nodeA.Release(key);
        await UntilAsync(() => nodeB.ClaimAsync(key, default));
        Assert.False(await nodeA.ClaimAsync(key, default));
        Assert.Equal((0, 3), (nodeA.Held, nodeB.Held));
    }

    [Fact]
    public async Task The_claims_of_a_node_whose_session_is_lost_are_freed_and_it_claims_again_once_back()
    {
        await using var lost = Claims(_behindProxy);
        await using var other = Claims(_direct);
        var key = NewKey();
        Assert.True(await lost.ClaimAsync(key, default));
        Assert.False(await other.ClaimAsync(key, default));

        _proxy.Cut();
        await UntilAsync(() => other.ClaimAsync(key, default));
        await Assert.ThrowsAnyAsync<Exception>(() => lost.ClaimAsync(key with { Reference = "000000000002" }, default));

        _proxy.Restore();
        Assert.True(await lost.ClaimAsync(key with { Reference = "000000000003" }, default));
        Assert.False(await lost.ClaimAsync(key, default));
    }

    private static PostgresPaymentClaims Claims(NpgsqlDataSource dataSource) =>
        new(dataSource, NullLogger<PostgresPaymentClaims>.Instance, TimeProvider.System);

    private static RequestKey NewKey() => new("CLM" + Random.Shared.Next(100_000, 999_999), "000000000001", "1206");

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not come true in time");
            await Task.Delay(20);
        }
    }
}
