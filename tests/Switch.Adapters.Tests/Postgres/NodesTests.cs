using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Switch.Adapters.Postgres;
using Switch.Billing;
using Switch.Monetary;
using Switch.Transactions;

namespace Switch.Adapters.Tests.Postgres;

/// <summary>Switch references and approval codes made by several nodes writing one journal never collide, by construction.</summary>
public class NodesTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly Deadline Later = new(DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);

    [Fact]
    public async Task Two_nodes_writing_at_once_in_the_same_millisecond_never_make_the_same_reference()
    {
        var bank = await NewBankAsync();
        var clock = new StoppedClock(DateTimeOffset.UtcNow);
        var numbers = new[] { await new NodeIdentity(postgres.DataSource).JoinAsync(default), await new NodeIdentity(postgres.DataSource).JoinAsync(default) };
        await using var first = Journal();
        await using var second = Journal();
        var nodes = new[] { (Journal: first, References: new SwitchReferences(numbers[0], clock)), (Journal: second, References: new SwitchReferences(numbers[1], clock)) };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4000).Select(i =>
        {
            var node = nodes[i % 2];
            return node.Journal.AppendAsync(Approval(bank, node.References.Next(), Code()), Later, default);
        }));

        Assert.NotEqual(numbers[0], numbers[1]);
        Assert.All(outcomes, o => Assert.Equal(JournalOutcome.Written, o));
        Assert.Equal(4000L, await postgres.ScalarAsync<long>("select count(distinct switch_reference) from payments where bank_code = $1", bank));
        // All in the one millisecond the clock shows: what made two nodes collide before they had numbers.
        Assert.Equal(1L, await postgres.ScalarAsync<long>("select count(distinct left(switch_reference, 13)) from payments where bank_code = $1", bank));
    }

    [Fact]
    public async Task Approval_codes_of_one_bank_on_one_day_from_two_nodes_are_all_distinct()
    {
        var bank = await NewBankAsync();
        var secret = RandomNumberGenerator.GetBytes(32);
        var nodes = Enumerable.Range(0, 2).Select(_ => new ApprovalCodes(new PostgresApprovalCodeBlocks(postgres.DataSource), () => secret, TimeProvider.System)).ToList();
        await using var journal = Journal();

        // On the thread pool, as the switch draws them: the test's synchronization context would run every wake-up in turn.
        var codes = await Task.WhenAll(Enumerable.Range(0, 20_000).Select(i => Task.Run(() => nodes[i % 2].NextAsync(bank, default).AsTask())));
        var outcomes = await Task.WhenAll(codes.Select(code => journal.AppendAsync(Approval(bank, postgres.References.Next(), code), Later, default)));

        Assert.All(outcomes, o => Assert.Equal(JournalOutcome.Written, o));
        Assert.Equal(20_000L, await postgres.ScalarAsync<long>("select count(distinct approval_code) from payments where bank_code = $1", bank));
        Assert.InRange(await postgres.ScalarAsync<long>("select taken from approval_code_counters where bank_code = $1", bank), 20_000L, 22_000L);
    }

    private PostgresPaymentJournal Journal() => new(postgres.DataSource, NullLogger<PostgresPaymentJournal>.Instance, TimeProvider.System);

    private static JournalEntry Approval(string bank, string reference, string code) => new(
        new RequestKey(bank, Guid.NewGuid().ToString("N")[..12], "1122"), [1], "TOPUP", "0550000000", null, new Money(1_000, Currency.FromNumeric(682)!), Channel.Mb,
        ResponseCodes.Approved, reference, code);

    private static string Code() => RandomNumberGenerator.GetString(ApprovalCodePermutation.Characters, 6);

    private async Task<string> NewBankAsync()
    {
        var bank = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await postgres.ScalarAsync<int>("insert into banks (code, name_en, name_ar) values ($1, 'Test', 'بنك') returning 1", bank);
        return bank;
    }

    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
