using System.Diagnostics;
using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Iso;

/// <summary>A switch that answers within one second.</summary>
public sealed class ShortTimeoutHost : HostFixture
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Switch:RequestTimeout", Timeout.ToString())];
}

/// <summary>Tests that stall or cut PostgreSQL run alone, so no other test sees their stall.</summary>
[CollectionDefinition(nameof(StalledJournal), DisableParallelization = true)]
public sealed class StalledJournal;

/// <summary>When PostgreSQL stalls, the bank hears 91 in time, and the journal, a repeat and the position agree with it.</summary>
[Collection(nameof(StalledJournal))]
public class RequestTimeoutTests(ShortTimeoutHost host) : IClassFixture<ShortTimeoutHost>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Payments_stalled_past_the_timeout_are_answered_91_in_time_and_stay_91()
    {
        var bankCode = await TestData.Bank(Postgres, cap: 1_000_000);
        var (first, firstAmount) = await TestData.OpenBill(Postgres);
        var (second, secondAmount) = await TestData.OpenBill(Postgres);
        await using var bank = await host.SignedOnAsync(bankCode);
        var inCommit = Payment(bankCode, first, firstAmount);
        var queued = Payment(bankCode, second, secondAmount);

        TimeSpan answeredIn;
        IsoMessageView inCommitAnswer, queuedAnswer;
        await using (var blocker = await Postgres.OpenConnectionAsync())
        await using (var lockHolder = await blocker.BeginTransactionAsync())
        {
            await using (var stall = new NpgsqlCommand("lock table payments in exclusive mode", blocker, lockHolder))
            {
                await stall.ExecuteNonQueryAsync();
            }

            // The first payment's commit starts and waits on the lock; the second waits in the journal's queue behind it.
            var clock = Stopwatch.StartNew();
            var inCommitTask = bank.SendAsync(inCommit, Wait);
            await Task.Delay(200);
            queuedAnswer = await bank.SendAsync(queued, Wait);
            inCommitAnswer = await inCommitTask;
            answeredIn = clock.Elapsed;
            await Task.Delay(ShortTimeoutHost.Timeout);
            await lockHolder.RollbackAsync();
        }

        Assert.Equal(("91", "91"), (inCommitAnswer.GetString(39), queuedAnswer.GetString(39)));
        Assert.InRange(answeredIn, ShortTimeoutHost.Timeout, ShortTimeoutHost.Timeout * 3);
        foreach (var payment in new[] { inCommit, queued })
        {
            Assert.Equal("91", await WhenJournaledAsync(bankCode, payment.GetString(37)!));
            Assert.Equal("91", (await bank.SendAsync(payment, Wait)).GetString(39));
        }

        Assert.Equal(0L, await Postgres.Scalar<long>("select coalesce(sum(amount_paid), 0)::bigint from bills where account_number in ($1, $2)", first, second));
        Assert.Equal((0L, 0L), await host.PositionWhenSettledAsync(bankCode));
    }

    /// <summary>The journaled answer to a payment, once the stalled flow has finished it.</summary>
    private async Task<string> WhenJournaledAsync(string bank, string reference)
    {
        var until = DateTime.UtcNow + Wait;
        while (true)
        {
            await using var command = Postgres.CreateCommand("select response_code from payments where bank_code = $1 and reference = $2");
            command.Parameters.AddWithValue(bank);
            command.Parameters.AddWithValue(reference);
            if (await command.ExecuteScalarAsync() is string code && (code != "00" || DateTime.UtcNow > until))
            {
                return code;
            }

            Assert.True(DateTime.UtcNow < until, $"{reference} was never journaled");
            await Task.Delay(50);
        }
    }
}
