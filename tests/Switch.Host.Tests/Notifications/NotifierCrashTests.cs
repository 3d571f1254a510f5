using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Adapters.Secrets;
using Switch.Billers.Notifications;
using Switch.Billers.Simulator;
using Switch.Host.Tests.Cluster;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Notifications;

/// <summary>Exactly-once notification through a kill -9 of the switch (a real process) in the middle of delivery.</summary>
[Collection(ProcessHeavyCollection.Name)]
public class NotifierCrashTests
{
    private const int InFlight = 4;
    private const int Batch = 5;

    [Fact]
    public async Task Kill_9_mid_delivery_still_delivers_each_payment_once_with_at_most_the_in_flight_bound_again()
    {
        await using var postgres = NpgsqlDataSource.Create(HostFixture.RequireServers());
        var kek = KeyEncryptionKey.Load(Environment.GetEnvironmentVariable("Switch__Secrets__KeyFile"), Environment.GetEnvironmentVariable("Switch__Secrets__Key"));
        var biller = "NK" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        await using (var command = postgres.CreateCommand("""
            insert into billers (code, name_en, name_ar, category, currency, presentment, payment_rule, transaction_limit, account_pattern, channels)
            values ($1, 'Notified', 'مفوتر', 'telecom', 682, 'prepaid', 'any', 1000000, '^[0-9]{10}$', '{IB}')
            """))
        {
            command.Parameters.AddWithValue(biller);
            await command.ExecuteNonQueryAsync();
        }

        var bankCode = await TestData.Bank(postgres, 1_000_000_000);
        var key = RandomNumberGenerator.GetBytes(BillerSignature.KeyLength);
        await using var simulator = await BillerSimulator.StartAsync([new SimulatedBiller(biller, key, TimeSpan.FromMilliseconds(30))],
            $"http://127.0.0.1:{HostFixture.FreePort()}", TimeProvider.System);
        // A slow rate, so that delivery is still going on when the switch is killed.
        await new PostgresBillerNotifications(postgres, kek).SetAdapterAsync(new BillerAdapterSettings(
            biller, new Uri(simulator.Address, biller), key, "asynchronous", 150, InFlight, Batch, TimeSpan.FromSeconds(2), true), AuditActor.CommandLine(), default);

        var akka = HostFixture.FreePort();
        await using var node = new NodeProcess(0, [NodeProcess.Address(akka)], akka, new Dictionary<string, string?>
        {
            ["Switch__Notifications__PollInterval"] = "00:00:00.050",
            ["Switch__Notifications__AdapterRefresh"] = "00:00:00.200",
            ["Switch__Notifications__MaxBackoff"] = "00:00:00.300",
        });
        // The biller is down while the payments are made: a backlog builds up, and the kill comes while it drains.
        simulator.SetDown(biller, true);
        node.Start();
        await node.WaitReadyAsync();
        await using (var bank = await node.SignedOnAsync(bankCode))
        {
            for (var i = 0; i < 400; i++)
            {
                var answer = await bank.SendAsync(Payment(bankCode, $"{i % 40:D10}", 100 + i, biller, "IB"), TimeSpan.FromSeconds(10));
                Assert.Equal("00", answer.GetString(39));
            }
        }

        simulator.SetDown(biller, false);
        await WaitForAsync(() => simulator.StatsOf(biller).Applied >= 100, "delivery to be under way");
        await node.KillAsync();
        var deliveredBeforeKill = simulator.StatsOf(biller).Applied;
        node.Start();
        await node.WaitReadyAsync();
        await WaitForAsync(() => simulator.StatsOf(biller).Applied >= 400, "every payment to be delivered", TimeSpan.FromSeconds(60));

        var stats = simulator.StatsOf(biller);
        Assert.True(deliveredBeforeKill < 400, "the kill came after everything was delivered: the test proves nothing");
        Assert.Equal((400L, 400L, 0L, 0L), (stats.Applied, stats.LastSequence, stats.Gaps, stats.OutOfOrder));
        Assert.InRange(stats.Duplicates, 0, InFlight * Batch);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}
