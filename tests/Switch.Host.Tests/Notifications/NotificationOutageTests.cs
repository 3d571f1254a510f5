using System.Security.Cryptography;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Billers.Notifications;
using Switch.Billers.Simulator;
using Switch.Billing;
using Switch.Host.Tests.Infrastructure;
using Switch.Monetary;
using Switch.Transactions;

namespace Switch.Host.Tests.Notifications;

/// <summary>A switch whose notifiers poll, retry and look for replays quickly.</summary>
public sealed class NotifyingHostFixture : HostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Switch:Notifications:PollInterval", "00:00:00.050"),
        new("Switch:Notifications:AdapterRefresh", "00:00:00.200"),
        new("Switch:Notifications:MaxBackoff", "00:00:00.400"),
    ];
}

/// <summary>Billers notified through the real switch, PostgreSQL and the biller simulator as a real HTTP server.</summary>
public class NotificationOutageTests(NotifyingHostFixture host) : IClassFixture<NotifyingHostFixture>
{
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Biller_down_under_load_then_back_gets_every_payment_and_reversal_once_in_order()
    {
        var (biller, bank, key) = await NewBillerAsync();
        await using var simulator = await BillerSimulator.StartAsync([new SimulatedBiller(biller, key)], $"http://127.0.0.1:{HostFixture.FreePort()}", TimeProvider.System);
        simulator.SetDown(biller, true);
        await host.Service<PostgresBillerNotifications>().SetAdapterAsync(
            new BillerAdapterSettings(biller, new Uri(simulator.Address, biller), key, "asynchronous", 2000, 4, 8, TimeSpan.FromSeconds(2), true), AuditActor.CommandLine(), default);

        // 12 accounts paid 25 times each, from 8 concurrent callers, while the biller is down; a few payments reversed.
        var flow = host.Service<TransactionFlow>();
        var references = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var reference = $"N{i:D5}{Random.Shared.Next(100000, 999999)}";
            var reply = await flow.PayAsync(new PayBill(new RequestKey(bank, reference, ""), biller, $"{i % 12:D10}", null, Channel.Ib,
                new Money(100 + i, Sar), null), DateTimeOffset.UtcNow, ct);
            Assert.Equal("00", reply.ResponseCode);
            references.Add(reference);
        });
        await WaitForAsync(() => Task.FromResult(simulator.StatsOf(biller).Refused > 0), "the notifier to find the biller down");
        foreach (var reference in references.Take(20))
        {
            var reversal = await flow.ReverseAsync(new ReversePayment(new RequestKey(bank, "R" + reference, ""), new RequestKey(bank, reference, ""),
                await Postgres.Scalar<long>("select amount from payments where bank_code = $1 and reference = $2", bank, reference), Edge.Rest), default);
            Assert.Equal("00", reversal.ResponseCode);
        }

        simulator.SetDown(biller, false);
        var journaled = await JournaledAsync(bank);
        await WaitForAsync(() => Task.FromResult(simulator.StatsOf(biller).Applied >= journaled), "every notification to be delivered", TimeSpan.FromSeconds(60));

        var stats = simulator.StatsOf(biller);
        Assert.Equal((320L, 300L, 20L), (journaled, stats.Payments, stats.Reversals));
        Assert.Equal((0L, 0L, 0L, 0L), (stats.Duplicates, stats.Gaps, stats.OutOfOrder, stats.BadSignatures));
        Assert.Equal(320L, stats.LastSequence);
        await WaitForAsync(async () => (await host.Service<PostgresBillerNotifications>().CountsAsync(biller, default)).Single()
            is { Delivered: 320, Pending: 0, Parked: 0, LastSequence: 320 }, "every delivery to be recorded");
    }

    [Fact]
    public async Task Replay_from_a_sequence_delivers_again_what_the_biller_then_counts_as_duplicates()
    {
        var (biller, bank, key) = await NewBillerAsync();
        await using var simulator = await BillerSimulator.StartAsync([new SimulatedBiller(biller, key)], $"http://127.0.0.1:{HostFixture.FreePort()}", TimeProvider.System);
        var store = host.Service<PostgresBillerNotifications>();
        await store.SetAdapterAsync(new BillerAdapterSettings(biller, new Uri(simulator.Address, biller), key, "asynchronous", 1000, 2, 1, TimeSpan.FromSeconds(2), true), AuditActor.CommandLine(), default);
        var flow = host.Service<TransactionFlow>();
        for (var i = 0; i < 5; i++)
        {
            await flow.PayAsync(new PayBill(new RequestKey(bank, $"P{i}{Random.Shared.Next(100000, 999999)}", ""), biller, "0000000001", null, Channel.Ib,
                new Money(500, Sar), null), DateTimeOffset.UtcNow, default);
        }

        await WaitForAsync(() => Task.FromResult(simulator.StatsOf(biller).Applied == 5), "the payments to be delivered");

        Assert.Equal(3, await store.ReplayAsync(biller, 3, null, default));
        await WaitForAsync(() => Task.FromResult(simulator.StatsOf(biller).Duplicates == 3), "the replay to be delivered");
        Assert.Equal((8L, 5L), (simulator.StatsOf(biller).Received, simulator.StatsOf(biller).Applied));
    }

    private async Task<long> JournaledAsync(string bank) =>
        await Postgres.Scalar<long>("select count(*) from payments where bank_code = $1 and response_code = '00'", bank)
        + await Postgres.Scalar<long>("select count(*) from reversals where bank_code = $1 and outcome = 'applied'", bank);

    /// <summary>A prepaid biller of its own (no bills: its payments are ordered by account) and a bank enrolled with it.</summary>
    private async Task<(string Biller, string Bank, byte[] Key)> NewBillerAsync()
    {
        var biller = "NT" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var command = Postgres.CreateCommand("""
            insert into billers (code, name_en, name_ar, category, currency, presentment, payment_rule, transaction_limit, account_pattern, channels)
            values ($1, 'Notified', 'مفوتر', 'telecom', 682, 'prepaid', 'any', 1000000, '^[0-9]{10}$', '{IB}')
            """))
        {
            command.Parameters.AddWithValue(biller);
            await command.ExecuteNonQueryAsync();
        }

        return (biller, await TestData.Bank(Postgres, 1_000_000_000), RandomNumberGenerator.GetBytes(BillerSignature.KeyLength));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? limit = null)
    {
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out waiting for {what}");
            await Task.Delay(25);
        }
    }
}
