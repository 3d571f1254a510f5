using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Switch.Host.Tests.Standby;

/// <summary>
/// The system of record on two servers: payments flow while the primary is stopped the hard way and its synchronous
/// standby promoted. Every approval a bank heard must be on the new primary (it was sent only once both servers held
/// it), and the switch must go on approving there by itself, with no restart and no setting changed.
/// </summary>
[Collection(ProcessHeavyCollection.Name)]
public class StandbyPromotionTests(ITestOutputHelper output)
{
    private const string Bank = "100001";

    [Fact]
    public async Task Every_approval_heard_is_on_the_promoted_standby_and_the_switch_resumes_there_by_itself()
    {
        await using var pair = await PostgresPair.StartAsync();
        var host = new PairHost(pair.ConnectionString);
        await host.InitializeAsync();
        try
        {
            var prefix = new string(Random.Shared.GetItems("ABCDEFGHJKLMNPQRSTUVWXYZ".ToCharArray(), 4));
            var approvals = new ConcurrentDictionary<string, long>();
            var approvedAfterPromotion = 0;
            var promoted = false;
            var refusals = new ConcurrentDictionary<string, int>();
            await using var bank = await IsoClient.ConnectAsync("127.0.0.1", host.IsoPort);
            Assert.Equal("00", (await bank.SendAsync(BankRequests.Network(Bank, "001").Stamp(1, $"P{prefix}0000000", DateTime.UtcNow), TimeSpan.FromSeconds(5))).GetString(39));
            using var stop = new CancellationTokenSource();
            long sequence = 0;
            var load = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref sequence);
                    var amount = 100 + (n % 900);
                    var request = BankRequests.Payment(Bank, "TOPUP", "05" + (n % 100_000_000).ToString("D8", CultureInfo.InvariantCulture), amount, channel: "MB")
                        .Stamp(n, $"P{prefix}{n:D7}", DateTime.UtcNow);
                    var code = (await bank.SendAsync(request, TimeSpan.FromSeconds(10))).GetString(39)!;
                    if (code == "00")
                    {
                        approvals[request.GetString(37)!] = amount;
                        if (Volatile.Read(ref promoted))
                        {
                            Interlocked.Increment(ref approvedAfterPromotion);
                        }
                    }
                    else
                    {
                        refusals.AddOrUpdate(code, 1, (_, count) => count + 1);
                    }
                }
            })).ToList();

            await WaitUntil(() => approvals.Count >= 200 || load.Any(t => t.IsCompleted), TimeSpan.FromSeconds(30));
            await pair.KillPrimaryAsync();
            await pair.PromoteStandbyAsync();
            var promotedAt = Stopwatch.StartNew();
            Volatile.Write(ref promoted, true);
            await WaitUntil(() => Volatile.Read(ref approvedAfterPromotion) >= 100 || load.Any(t => t.IsCompleted), TimeSpan.FromSeconds(30));
            var resumedWithin = promotedAt.Elapsed;
            await stop.CancelAsync();
            await Task.WhenAll(load);

            var journal = await ApprovedOn(pair.StandbyOnly, prefix);
            // Payments whose commit was cut off are answered 96 (outcome unknown), never 00; none is lost either way.
            output.WriteLine($"{approvals.Count} approvals, {approvedAfterPromotion} after the promotion, reached {resumedWithin} after it; "
                + $"refused: {string.Join(", ", refusals.Select(r => $"{r.Key} × {r.Value}"))}");
            Assert.True(approvedAfterPromotion >= 100, $"{approvedAfterPromotion} approvals after the promotion ({resumedWithin}); refusals {string.Join(", ", refusals)}");
            Assert.All(approvals, a => Assert.True(journal.TryGetValue(a.Key, out var stored) && stored.Amount == a.Value && stored.Count == 1,
                $"{a.Key} was approved for {a.Value} but the new primary has {(journal.TryGetValue(a.Key, out var s) ? $"{s.Count} row(s) of {s.Amount}" : "nothing")}"));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>The real host, on the pair instead of the test run's PostgreSQL.</summary>
    private sealed class PairHost(string connectionString) : HostFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Switch:Postgres:ConnectionString", connectionString)];
    }

    private static async Task<Dictionary<string, (long Amount, int Count)>> ApprovedOn(string connectionString, string prefix)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "select reference, min(amount), count(*)::int from payments where bank_code = $1 and reference like $2 and response_code = '00' group by reference");
        command.Parameters.AddWithValue(Bank);
        command.Parameters.AddWithValue($"P{prefix}%");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, (long, int)>();
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt32(2));
        }

        return rows;
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {limit.TotalSeconds} s");
            await Task.Delay(50);
        }
    }
}
