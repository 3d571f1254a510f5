using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Switch.Adapters.Postgres;
using Switch.Host.Actors;
using Switch.Host.Cli;
using Switch.Host.Tests.Infrastructure;
using Switch.Positions;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Positions;

public sealed class CapRefreshHost : HostFixture
{
    public static readonly TimeSpan CapRefresh = TimeSpan.FromSeconds(1);

    public Npgsql.NpgsqlDataSource Postgres => Service<Npgsql.NpgsqlDataSource>();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Switch:Positions:CapRefresh", CapRefresh.ToString())];
}

/// <summary>A lowered net debit cap holds for a busy bank, whether changed through the switch or in the database.</summary>
public class CapChangeTests(CapRefreshHost host) : IClassFixture<CapRefreshHost>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Cap_lowered_in_the_database_under_load_is_enforced_within_the_refresh_interval_and_no_approval_exceeds_it()
    {
        var bankCode = await TestData.Bank(host.Postgres, cap: 100_000_000);
        using var stop = new CancellationTokenSource();
        var answers = new ConcurrentQueue<string>();
        var load = Task.WhenAll(Enumerable.Range(0, 2).Select(_ => PayUntilStoppedAsync(bankCode, answers, stop.Token)));
        await PollAsync(() => answers.Count(a => a == "00") >= 20);

        var committed = await host.Postgres.Scalar<long>("select committed from bank_positions where bank_code = $1", bankCode);
        var newCap = committed + 50_000;
        await host.Postgres.Scalar<object?>("update banks set net_debit_cap = $2 where code = $1 returning null", bankCode, newCap);
        var clock = Stopwatch.StartNew();
        var applied = await PollPositionAsync(bankCode, p => p.Cap == newCap);
        var appliedAfter = clock.Elapsed;
        await PollAsync(() => answers.Contains("51"));
        await stop.CancelAsync();
        await load;

        Assert.True(appliedAfter < CapRefreshHost.CapRefresh + TimeSpan.FromSeconds(2), $"applied after {appliedAfter}");
        // Once applied, new reservations obey it: only what was already held when it arrived may go past it.
        var final = await host.Postgres.Scalar<long>("select committed from bank_positions where bank_code = $1", bankCode);
        Assert.InRange(final, 0, Math.Max(newCap, applied.Committed + applied.Reserved));
        Assert.Equal((final, 0L), await host.PositionWhenSettledAsync(bankCode));
    }

    [Fact]
    public async Task Cap_set_from_the_command_line_is_acknowledged_only_once_the_bank_position_actor_enforces_it()
    {
        var bankCode = await TestData.Bank(host.Postgres, cap: 1_000_000);
        var positions = host.Service<SwitchActors>().Positions;
        Assert.True((await positions.Ask<Reservation>(new Reserve(bankCode, "held", 300_000, DateTimeOffset.UtcNow + Wait), Wait)).Granted);

        var outcome = await CapChange.SetAsync(host.Service<PostgresPositionSource>(), bankCode, 400_000, AuditActor.CommandLine(), Wait, TimeProvider.System, CancellationToken.None);

        Assert.Equal(CapChangeOutcome.Applied, outcome);
        Assert.Equal(1L, await host.Postgres.Scalar<long>("""
            select count(*) from audit_log where subject = 'bank:' || $1 and action = 'bank.net_debit_cap.set' and api_key_id is null
               and actor like 'cli:%' and before ->> 'netDebitCap' = '1000000' and after ->> 'netDebitCap' = '400000'
            """, bankCode));
        // The switches of other test classes share this database and may acknowledge first: this one follows within its refresh.
        await PollPositionAsync(bankCode, p => p.Cap == 400_000);
        Assert.Equal(ReserveOutcome.CapExceeded, (await positions.Ask<Reservation>(new Reserve(bankCode, "over", 100_001, DateTimeOffset.UtcNow + Wait), Wait)).Outcome);
    }

    [Fact]
    public async Task Cap_set_through_the_position_service_returns_once_applied()
    {
        var bankCode = await TestData.Bank(host.Postgres, cap: 1_000_000);
        var service = host.Service<SwitchActors>();

        Assert.True(await service.SetCapAsync(bankCode, 5_000, AuditActor.CommandLine(), Wait, CancellationToken.None));

        Assert.Equal(5_000, (await service.Positions.Ask<PositionSnapshot>(new GetPosition(bankCode), Wait)).Cap);
        Assert.False(await service.ReserveAsync(bankCode, "over", 5_001, DateTimeOffset.UtcNow + Wait, CancellationToken.None));
    }

    [Fact]
    public async Task Cap_for_a_bank_that_does_not_exist_changes_nothing()
    {
        Assert.Equal(CapChangeOutcome.NoSuchBank,
            await CapChange.SetAsync(host.Service<PostgresPositionSource>(), "99999999999", 1, AuditActor.CommandLine(), Wait, TimeProvider.System, CancellationToken.None));
        Assert.False(await host.Service<SwitchActors>().SetCapAsync("99999999999", 1, AuditActor.CommandLine(), Wait, CancellationToken.None));
        Assert.Equal(0L, await host.Postgres.Scalar<long>("select count(*) from audit_log where subject = 'bank:99999999999'"));
    }

    private async Task PayUntilStoppedAsync(string bankCode, ConcurrentQueue<string> answers, CancellationToken stop)
    {
        await using var bank = await host.SignedOnAsync(bankCode);
        var i = 0;
        while (!stop.IsCancellationRequested)
        {
            var answer = await bank.SendAsync(Payment(bankCode, $"05{Random.Shared.Next(100_000_000):D8}", 1_000 + (i++ % 7), "TOPUP", "MB"), Wait);
            answers.Enqueue(answer.GetString(39)!);
        }
    }

    private async Task<PositionSnapshot> PollPositionAsync(string bankCode, Func<PositionSnapshot, bool> expected)
    {
        var until = DateTime.UtcNow + Wait;
        while (true)
        {
            var snapshot = await host.Service<SwitchActors>().Positions.Ask<PositionSnapshot>(new GetPosition(bankCode), Wait);
            if (expected(snapshot))
            {
                return snapshot;
            }

            Assert.True(DateTime.UtcNow < until, $"still {snapshot}");
            await Task.Delay(20);
        }
    }

    private static async Task PollAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not come true in time");
            await Task.Delay(20);
        }
    }
}
