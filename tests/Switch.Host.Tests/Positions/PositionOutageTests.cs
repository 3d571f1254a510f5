using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;
using Switch.Host.Actors;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Iso;
using Switch.Positions;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Positions;

/// <summary>The switch behind a PostgreSQL proxy, with banks cached from sign-on and journal retries capped at 2 s.</summary>
public sealed class PositionsBehindProxyHost : PostgresBehindProxyHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("Switch:BankCacheTime", "00:10:00"),
        new("Switch:Positions:CapRefresh", "00:10:00"),
        new("Switch:Positions:RetryMax", "00:00:02"),
    ];

    /// <summary>Every log line of the switch's actor system from now on.</summary>
    public ConcurrentQueue<string> CollectLogs()
    {
        var logs = new ConcurrentQueue<string>();
        var system = Service<SwitchActors>().System;
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new LogCollector(logs))), typeof(LogEvent));
        return logs;
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> logs) => Receive<LogEvent>(e => logs.Enqueue(e.ToString()));
    }
}

/// <summary>PostgreSQL unreachable while a bank's position actor loads: nothing leaks, nothing storms.</summary>
public class PositionOutageTests(PositionsBehindProxyHost host) : IClassFixture<PositionsBehindProxyHost>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Payment_whose_position_loads_only_after_postgres_is_back_leaves_headroom_equal_to_cap_minus_journal()
    {
        var bankCode = await TestData.Bank(host.Direct, cap: 10_000);
        await using (var earlier = host.Direct.CreateCommand("""
            insert into payments (bank_code, reference, fingerprint, biller_code, account_number, amount, currency, channel, response_code, switch_reference)
            values ($1, 'earlier', '\x01', 'TOPUP', '0500000009', 4000, 682, 'MB', '00', 'SWEARLIER' || $1)
            """))
        {
            earlier.Parameters.AddWithValue(bankCode);
            await earlier.ExecuteNonQueryAsync();
        }

        await using var bank = await host.SignedOnAsync(bankCode);
        // An inquiry caches the billers and the bank's enrolments (the fixture reads them again after ten minutes) and
        // leaves the bank's position actor unstarted.
        Assert.Equal("00", (await bank.SendAsync(Inquiry(bankCode, "0500000001", "TOPUP", "MB"), Wait)).GetString(39));

        host.Proxy.Cut();
        var refusedBefore = host.Proxy.Refused;
        var answer = await bank.SendAsync(Payment(bankCode, "0500000002", 6_000, "TOPUP", "MB"), Wait);
        var triedWhileCut = host.Proxy.Refused - refusedBefore;
        host.Proxy.Restore();

        Assert.NotEqual("00", answer.GetString(39));
        Assert.True(triedWhileCut > 0, "the position actor never tried to load while PostgreSQL was cut");
        var journal = await host.Direct.Scalar<long>("select committed from bank_positions where bank_code = $1", bankCode);
        Assert.Equal((journal, 0L), await host.PositionWhenSettledAsync(bankCode));
        // All the headroom the journal leaves is there: the full 6,000 fits again.
        Assert.Equal("00", (await bank.SendAsync(Payment(bankCode, "0500000003", 10_000 - journal, "TOPUP", "MB"), Wait)).GetString(39));
    }

    [Fact]
    public async Task Position_actor_that_cannot_load_tries_again_with_a_growing_pause_and_logs_the_outage_once_and_its_end_once()
    {
        var bankCode = await TestData.Bank(host.Direct, cap: 10_000);
        var logs = host.CollectLogs();
        var positions = host.Service<SwitchActors>().Positions;

        host.Proxy.Cut();
        var loaded = positions.Ask<PositionSnapshot>(new GetPosition(bankCode), TimeSpan.FromSeconds(30));
        await PollAsync(() => logs.Any(l => l.Contains(bankCode) && l.Contains("cannot be read")));
        // What is measured is how often the actor tries while the outage lasts: 0, 0.5, 1.5 and 3.5 s into it. Restarting
        // on each failure, it made thousands of attempts a second.
        await Task.Delay(TimeSpan.FromSeconds(4));
        host.Proxy.Restore();

        Assert.Equal(10_000, (await loaded).Cap);
        await PollAsync(() => logs.Any(l => l.Contains(bankCode) && l.Contains("can be read again")));
        var failedReads = int.Parse(Regex.Match(logs.Single(l => l.Contains(bankCode) && l.Contains("can be read again")), @"after (\d+) failed reads").Groups[1].Value);
        Assert.InRange(failedReads, 2, 5);
        Assert.Single(logs, l => l.Contains(bankCode) && l.Contains("cannot be read"));
        Assert.Single(logs, l => l.Contains(bankCode) && l.Contains("can be read again"));
    }

    private static async Task PollAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not come true in time");
            await Task.Delay(20);
        }
    }
}
