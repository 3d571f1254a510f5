using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Iso;

namespace Switch.Host.Tests.Cluster;

/// <summary>
/// Money stays exact whichever of three real nodes takes each payment: a bill is credited only as far as its rule
/// allows, a bank never passes its cap, and a repeat on another node than its original hears what the original journals.
/// </summary>
[Collection(ClusterFixture.Shared)]
public sealed class ClusterMoneyTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("ELECT", 24_757, 24_757, 1)]
    [InlineData("WATER", 10_000, 5_000, 2)]
    public async Task One_bill_paid_at_once_through_every_node_is_credited_exactly_what_is_due(string biller, long due, long each, int approvals)
    {
        var bank = await TestData.Bank(cluster.Postgres, cap: 100_000_000);
        var (account, _) = await TestData.OpenBill(cluster.Postgres, biller, amount: due);
        var clients = await SignedOnEverywhereAsync(bank);
        await WarmAsync(bank, clients);

        var codes = (await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            DecidedAsync(clients[i % clients.Count], () => BankMessages.Payment(bank, account, each, biller))))).ToList();

        Assert.True(codes.Count(c => c == "00") == approvals, Summary(codes));
        Assert.All(codes.Where(c => c != "00"), c => Assert.Contains(c, new[] { "B1", "13" }));
        Assert.Equal(due, await cluster.Postgres.Scalar<long>("select amount_paid from bills where biller_code = $1 and account_number = $2", biller, account));
        Assert.Equal(due, await ApprovedTotalAsync(bank, biller));
        await DisposeAllAsync(clients);
    }

    [Fact]
    public async Task Two_hundred_payments_over_three_nodes_against_a_cap_for_120_approve_exactly_120()
    {
        // Each node's first payment of the bank (one TOPUP of 1.00) takes 3.00 of the cap: 12,000 more is room for 120.
        var bank = await TestData.Bank(cluster.Postgres, cap: 12_300);
        var clients = await SignedOnEverywhereAsync(bank);
        await WarmAsync(bank, clients);

        var codes = (await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            DecidedAsync(clients[i % clients.Count], () => BankMessages.Payment(bank, "0500000001", 100, "TOPUP", "MB"))))).ToList();

        Assert.True(codes.Count(c => c == "00") == 120, Summary(codes));
        Assert.All(codes.Where(c => c != "00"), c => Assert.Equal("51", c));
        var journal = await ApprovedTotalAsync(bank);
        Assert.Equal(12_300, journal);
        Assert.Equal(0, 12_300 - journal);
        Assert.Equal(journal, await cluster.Postgres.Scalar<long>("select committed from bank_positions where bank_code = $1", bank));
        await DisposeAllAsync(clients);
    }

    [Fact]
    public async Task A_repeat_on_another_node_while_its_original_is_held_hears_the_91_the_original_was_answered()
    {
        var (nodeA, nodeB) = (cluster[0], cluster[1]);
        var bank = await TestData.Bank(cluster.Postgres, cap: 100_000_000);
        var decoyBank = await TestData.Bank(cluster.Postgres, cap: 100_000_000);
        var (decoyAccount, decoyDue) = await TestData.OpenBill(cluster.Postgres, "ELECT");
        await using var decoyClient = await nodeA.SignedOnAsync(decoyBank);
        await using var clientA = await nodeA.SignedOnAsync(bank);
        await using var clientB = await nodeB.SignedOnAsync(bank);
        await WarmAsync(bank, [clientA, clientB]);
        await WarmAsync(decoyBank, [decoyClient]);
        var original = BankMessages.Payment(bank, "0500000001", 1_000, "TOPUP", "MB");

        IsoMessageView onA, onB;
        await using (var holder = await cluster.Postgres.OpenConnectionAsync())
        {
            // Node A's journal writer is held on a bill row this test locks (a decoy payment of that bill), so the
            // original, queued behind it, is not committed by its deadline; node B's journal is free.
            await using var hold = await holder.BeginTransactionAsync();
            await using (var lockBill = new NpgsqlCommand(
                "select 1 from bills where biller_code = 'ELECT' and account_number = $1 for update", holder, hold) { Parameters = { new() { Value = decoyAccount } } })
            {
                await lockBill.ExecuteNonQueryAsync();
            }

            var decoy = decoyClient.SendAsync(BankMessages.Payment(decoyBank, decoyAccount, decoyDue, "ELECT"), Wait);
            await UntilAsync(async () => await cluster.Postgres.Scalar<long>(
                "select count(*) from pg_stat_activity where $1 = any(pg_blocking_pids(pid))", holder.ProcessID) > 0);

            onA = await clientA.SendAsync(original, Wait);
            onB = await clientB.SendAsync(original, Wait);
            await hold.RollbackAsync();
            await decoy;
        }

        Assert.Equal("91", onA.GetString(39));
        Assert.Equal("91", onB.GetString(39));
        await UntilAsync(async () => await cluster.Postgres.Scalar<long>(
            "select count(*) from payments where bank_code = $1 and reference = $2", bank, original.GetString(37)!) == 1);
        Assert.Equal("91", await cluster.Postgres.Scalar<string>(
            "select response_code from payments where bank_code = $1 and reference = $2", bank, original.GetString(37)!));
        Assert.Equal(200, await ApprovedTotalAsync(bank));
    }

    /// <summary>
    /// Sends a payment until it is decided: one answered 91 (not done in time on a loaded machine; journaled as 91, its
    /// hold on the cap released) or 96 (its reservation's ask timed out, which the failover work turns into a prompt 91)
    /// is paid again as a new payment, as its bank would. Returns the deciding answer's code.
    /// </summary>
    private static async Task<string> DecidedAsync(IsoClient client, Func<IsoMessage> payment)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var code = (await client.SendAsync(payment(), Wait)).GetString(39)!;
            if (code is not ("91" or "96") || DateTime.UtcNow > deadline)
            {
                return code;
            }
        }
    }

    private static string Summary(List<string> codes) =>
        "answers: " + string.Join(", ", codes.GroupBy(c => c).OrderBy(g => g.Key).Select(g => $"{g.Key} x{g.Count()}"));

    private async Task<List<IsoClient>> SignedOnEverywhereAsync(string bank)
    {
        var clients = new List<IsoClient>();
        foreach (var node in cluster.Nodes)
        {
            clients.Add(await node.SignedOnAsync(bank));
        }

        return clients;
    }

    private static async Task DisposeAllAsync(List<IsoClient> clients)
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    private Task<long> ApprovedTotalAsync(string bank, string? biller = null) => cluster.Postgres.Scalar<long>(
        "select coalesce(sum(amount), 0)::bigint from payments where bank_code = $1 and response_code = '00' and ($2 = '' or biller_code = $2)", bank, biller ?? "");

    /// <summary>
    /// One TOPUP of 1.00 approved through each connection, so the bank's position shard is placed and every node knows
    /// where before a test's burst (placing a new shard on a loaded machine can take longer than a request may).
    /// </summary>
    private static async Task WarmAsync(string bank, List<IsoClient> clients)
    {
        foreach (var client in clients)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((await client.SendAsync(BankMessages.Payment(bank, "0500000009", 100, "TOPUP", "MB"), Wait)).GetString(39) != "00")
            {
                Assert.True(DateTime.UtcNow < deadline, $"bank {bank} could not pay through every node within 60 s");
            }
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {Wait.TotalSeconds} s");
            await Task.Delay(50);
        }
    }
}
