using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Billing;
using Switch.Host.Tests.Infrastructure;
using Switch.Monetary;
using Switch.Transactions;

namespace Switch.Host.Tests.Cluster;

/// <summary>
/// The journal's commit is the last word on bills and caps (migration 0013), against real PostgreSQL: rows of one
/// batch are judged in order against running totals, and two journals (two nodes) committing at once never credit a
/// bill beyond its rule nor a bank beyond its cap.
/// </summary>
public sealed class JournalCommitRulesTests : IAsyncLifetime
{
    private static readonly Deadline Later = new(DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);
    private readonly NpgsqlDataSource _postgres = NpgsqlDataSource.Create(HostFixture.RequireServers());

    public async Task InitializeAsync() => await new MigrationRunner(_postgres, NullLogger<MigrationRunner>.Instance).ApplyAsync();

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    [Fact]
    public async Task Rows_of_one_bill_in_one_batch_are_applied_in_order_against_what_is_left()
    {
        var bank = await TestData.Bank(_postgres, cap: 1_000_000);
        var (account, _) = await TestData.OpenBill(_postgres, "WATER", amount: 10_000);
        var billId = await _postgres.Scalar<long>("select id from bills where biller_code = 'WATER' and account_number = $1", account);
        await using var journal = Journal();

        // 6,000 leaves 4,000; a second 6,000 is more than is left (13); 4,000 pays it off; then nothing is due (B1).
        var outcomes = await InOneBatchAsync(journal, [.. new long[] { 6_000, 6_000, 4_000, 1_000 }.Select(a => Entry(bank, "WATER", account, billId, a))]);

        Assert.Equal([JournalOutcome.Written, JournalOutcome.Refused, JournalOutcome.Written, JournalOutcome.Refused], outcomes.Select(o => o.Outcome));
        Assert.Equal(["00", "13", "00", "B1"], await CodesAsync(journal, outcomes));
        Assert.Equal((10_000L, "paid"), (await _postgres.Scalar<long>("select amount_paid from bills where id = $1", billId),
            await _postgres.Scalar<string>("select status from bills where id = $1", billId)));
    }

    [Fact]
    public async Task A_cap_crossed_inside_a_batch_refuses_only_what_would_pass_it()
    {
        var bank = await TestData.Bank(_postgres, cap: 10_000);
        await using var journal = Journal();

        var outcomes = await InOneBatchAsync(journal, [.. new long[] { 4_000, 4_000, 3_000, 2_000, 1_000 }.Select(a => Entry(bank, "TOPUP", "0500000001", null, a))]);

        Assert.Equal(["00", "00", "51", "00", "51"], await CodesAsync(journal, outcomes));
        Assert.Equal(10_000L, await CommittedAsync(bank));
        Assert.Equal(10_000L, await JournalTotalAsync(bank));
    }

    [Fact]
    public async Task Two_journals_paying_one_bill_at_once_credit_it_exactly_once()
    {
        var bank = await TestData.Bank(_postgres, cap: 1_000_000);
        var (account, due) = await TestData.OpenBill(_postgres, "ELECT", amount: 24_757);
        var billId = await _postgres.Scalar<long>("select id from bills where biller_code = 'ELECT' and account_number = $1", account);
        await using var nodeA = Journal();
        await using var nodeB = Journal();

        var entries = Enumerable.Range(0, 40).Select(_ => Entry(bank, "ELECT", account, billId, due)).ToList();
        var outcomes = await Task.WhenAll(entries.Select((e, i) => AppendAsync(i % 2 == 0 ? nodeA : nodeB, e)));

        Assert.Equal(1, outcomes.Count(o => o.Outcome == JournalOutcome.Written));
        Assert.All(await CodesAsync(nodeA, outcomes.Where(o => o.Outcome != JournalOutcome.Written).ToList()), code => Assert.Equal("B1", code));
        Assert.Equal(due, await _postgres.Scalar<long>("select amount_paid from bills where id = $1", billId));
    }

    [Fact]
    public async Task Two_journals_at_once_never_take_a_bank_over_its_cap()
    {
        var bank = await TestData.Bank(_postgres, cap: 12_000);
        await using var nodeA = Journal();
        await using var nodeB = Journal();

        var entries = Enumerable.Range(0, 200).Select(_ => Entry(bank, "TOPUP", "0500000001", null, 100)).ToList();
        var outcomes = await Task.WhenAll(entries.Select((e, i) => AppendAsync(i % 2 == 0 ? nodeA : nodeB, e)));

        Assert.Equal(120, outcomes.Count(o => o.Outcome == JournalOutcome.Written));
        Assert.Equal(12_000L, await JournalTotalAsync(bank));
        Assert.Equal(12_000L, await CommittedAsync(bank));
    }

    private PostgresPaymentJournal Journal() => new(_postgres, NullLogger<PostgresPaymentJournal>.Instance, TimeProvider.System);

    private static JournalEntry Entry(string bank, string biller, string account, long? billId, long amount)
    {
        var reference = Guid.NewGuid().ToString("N")[..12];
        return new JournalEntry(new RequestKey(bank, reference, "1122"), [1], biller, account, billId, new Money(amount, Currency.FromNumeric(682)!), Channel.Atm,
            "00", $"SR{Guid.NewGuid():N}"[..24], RandomNumberGenerator.GetString(ApprovalCodePermutation.Characters, 6));
    }

    private static async Task<(JournalEntry Entry, JournalOutcome Outcome)> AppendAsync(PostgresPaymentJournal journal, JournalEntry entry)
    {
        return (entry, await journal.AppendAsync(entry, Later, default));
    }

    /// <summary>
    /// Appends the entries so the journal writes them in one batch, in order: the writer is first held on a row lock (a
    /// decoy payment of a bill this test locks), the entries queue behind it, and the lock is let go.
    /// </summary>
    private async Task<List<(JournalEntry Entry, JournalOutcome Outcome)>> InOneBatchAsync(PostgresPaymentJournal journal, List<JournalEntry> entries)
    {
        var (decoyAccount, decoyDue) = await TestData.OpenBill(_postgres, "ELECT");
        var decoyBill = await _postgres.Scalar<long>("select id from bills where biller_code = 'ELECT' and account_number = $1", decoyAccount);
        Task<JournalOutcome> decoy;
        List<Task<JournalOutcome>> appended;
        long before;
        await using (var holder = await _postgres.OpenConnectionAsync())
        {
            await using var hold = await holder.BeginTransactionAsync();
            await using (var lockBill = new NpgsqlCommand("select 1 from bills where id = $1 for update", holder, hold) { Parameters = { new() { Value = decoyBill } } })
            {
                await lockBill.ExecuteNonQueryAsync();
            }

            decoy = journal.AppendAsync(Entry(await TestData.Bank(_postgres, cap: 1_000_000), "ELECT", decoyAccount, decoyBill, decoyDue), Later, default);
            await WaitUntilAsync(async () => await _postgres.Scalar<long>(
                "select count(*) from pg_stat_activity where $1 = any(pg_blocking_pids(pid))", holder.ProcessID) > 0);
            appended = entries.Select(e => journal.AppendAsync(e, Later, default)).ToList();
            before = journal.Batches;
            await hold.RollbackAsync();
        }

        Assert.Equal(JournalOutcome.Written, await decoy);
        var outcomes = await Task.WhenAll(appended);
        Assert.Equal(2, journal.Batches - before);
        return entries.Zip(outcomes).ToList();
    }

    private static async Task<List<string>> CodesAsync(PostgresPaymentJournal journal, IEnumerable<(JournalEntry Entry, JournalOutcome Outcome)> outcomes)
    {
        var codes = new List<string>();
        foreach (var (entry, _) in outcomes)
        {
            codes.Add((await journal.FindAsync(entry.Key, default))!.ResponseCode);
        }

        return codes;
    }

    private Task<long> CommittedAsync(string bank) => _postgres.Scalar<long>("select committed from bank_positions where bank_code = $1", bank);

    private Task<long> JournalTotalAsync(string bank) =>
        _postgres.Scalar<long>("select coalesce(sum(amount), 0)::bigint from payments where bank_code = $1 and response_code = '00'", bank);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the journal's writer did not wait on the held row within 10 s");
            await Task.Delay(20);
        }
    }
}
