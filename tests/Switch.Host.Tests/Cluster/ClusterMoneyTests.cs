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

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            clients[i % clients.Count].SendAsync(BankMessages.Payment(bank, account, each, biller), Wait)));
        var codes = answers.Select(a => a.GetString(39)!).ToList();

        Assert.True(codes.Count(c => c == "00") == approvals, Summary(codes));
        Assert.All(codes.Where(c => c != "00"), c => Assert.Contains(c, new[] { "B1", "13" }));
        Assert.Equal(due, await cluster.Postgres.Scalar<long>("select amount_paid from bills where biller_code = $1 and account_number = $2", biller, account));
        Assert.Equal(due, await ApprovedTotalAsync(bank));
        await DisposeAllAsync(clients);
    }

    [Fact]
    public async Task Two_hundred_payments_over_three_nodes_against_a_cap_for_120_approve_exactly_120()
    {
        var bank = await TestData.Bank(cluster.Postgres, cap: 12_000);
        var clients = await SignedOnEverywhereAsync(bank);

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            clients[i % clients.Count].SendAsync(BankMessages.Payment(bank, "0500000001", 100, "TOPUP", "MB"), Wait)));
        var codes = answers.Select(a => a.GetString(39)!).ToList();

        Assert.True(codes.Count(c => c == "00") == 120, Summary(codes));
        Assert.All(codes.Where(c => c != "00"), c => Assert.Equal("51", c));
        var journal = await ApprovedTotalAsync(bank);
        Assert.Equal(12_000, journal);
        Assert.Equal(0, 12_000 - journal);
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
        Assert.Equal(0, await ApprovedTotalAsync(bank));
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

    private Task<long> ApprovedTotalAsync(string bank) => cluster.Postgres.Scalar<long>(
        "select coalesce(sum(amount), 0)::bigint from payments where bank_code = $1 and response_code = '00'", bank);

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
