using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Switch.Adapters.Postgres;
using Switch.Billing;
using Switch.Monetary;
using Switch.Settlement.Windows;
using Switch.Transactions;
using Xunit.Abstractions;

namespace Switch.Adapters.Tests.Postgres;

/// <summary>
/// Settlement windows against the real journal writer. The tests pay in SYP, a currency no other test pays in, so
/// closing and settling its windows changes nothing another test looks at.
/// </summary>
[Collection(nameof(SettlementWindowTests))]
public class SettlementWindowTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private static readonly Currency Syp = Currency.FromAlpha("SYP")!;

    private static readonly Deadline Later = new(DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);

    private static readonly AuditActor CentralBank = new(null, "operator", "cli:settlement-tests");

    private PostgresSettlementWindows Windows() => new(postgres.DataSource, NullLogger<PostgresSettlementWindows>.Instance);

    private PostgresPaymentJournal Journal() => new(postgres.DataSource, NullLogger<PostgresPaymentJournal>.Instance, TimeProvider.System);

    private static JournalEntry Payment(string bank, string reference, long amount) => new(
        new RequestKey(bank, reference, ""), [1], "TOPUP", "0512345678", null, new Money(amount, Syp), Channel.Atm, "00", $"SR{reference}", "A1B2C3");

    private static string Fresh() => Guid.NewGuid().ToString("N")[..16];

    private async Task<string> BankAsync(long cap = 100_000_000_000)
    {
        var code = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await postgres.ScalarAsync<int>("insert into banks (code, name_en, name_ar, net_debit_cap) values ($1, 'Settlement test bank', 'بنك', $2) returning 1", code, cap);
        return code;
    }

    /// <summary>The window a payment (by reference) or its reversal is in, by the windows' own ranges; every match listed.</summary>
    private async Task<Dictionary<string, long[]>> WindowsOfAsync(string table, string bank)
    {
        var rows = new Dictionary<string, long[]>();
        await using var command = postgres.DataSource.CreateCommand($"""
            select t.reference, array(select w.id from settlement_windows w
                                       where w.currency = p.currency and t.settlement_epoch between w.first_epoch and coalesce(w.last_epoch, 9223372036854775807))
              from {table} t join payments p using (bank_code, reference, local_date)
             where t.bank_code = $1 {(table == "payments" ? "and p.response_code = '00'" : "and t.outcome = 'applied'")}
            """);
        command.Parameters.AddWithValue(bank);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = reader.GetFieldValue<long[]>(1);
        }

        return rows;
    }

    [Fact]
    public async Task Close_under_concurrent_payments_and_reversals_puts_each_in_exactly_one_window()
    {
        var bank = await BankAsync();
        var windows = Windows();
        await using var journal = Journal();
        var clock = Stopwatch.StartNew();
        var payments = new ConcurrentDictionary<string, (long Amount, TimeSpan Sent, TimeSpan Committed)>();
        var reversals = new ConcurrentDictionary<string, (TimeSpan Sent, TimeSpan Committed)>();
        var closes = new List<(WindowClose Close, TimeSpan Started, TimeSpan Ended)>();
        var atClose = new Dictionary<long, SettlementWindow>();
        using var stop = new CancellationTokenSource();
        var committed = 0;

        async Task PayAsync(int worker)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var reference = Fresh();
                var amount = 100 + (worker * 7919 + i) % 5000;
                var sent = clock.Elapsed;
                Assert.Equal(JournalOutcome.Written, await journal.AppendAsync(Payment(bank, reference, amount), Later, default));
                payments[reference] = (amount, sent, clock.Elapsed);
                Interlocked.Increment(ref committed);
                if (i % 10 == 3)
                {
                    var reversedSent = clock.Elapsed;
                    var result = await journal.ReverseAsync(new ReversalEntry($"RV{reference}", new RequestKey(bank, reference, ""), amount, Edge.Rest, null),
                        TimeSpan.FromMinutes(5), default);
                    Assert.Equal(ReversalOutcome.Applied, result.Outcome);
                    reversals[reference] = (reversedSent, clock.Elapsed);
                }
            }
        }

        var load = Enumerable.Range(0, 64).Select(w => Task.Run(() => PayAsync(w))).ToList();
        for (var c = 0; c < 4; c++)
        {
            // Each close waits for a few hundred more commits, so every window holds some and each close meets commits in flight.
            var target = Volatile.Read(ref committed) + 300;
            while (Volatile.Read(ref committed) < target)
            {
                await Task.WhenAny(Task.WhenAll(load), Task.Delay(5));
                Assert.False(load.Any(t => t.IsFaulted), "a payment failed under the close");
            }

            var started = clock.Elapsed;
            var close = await windows.CloseAsync(Syp, ClosedBy.Demand, CentralBank, default);
            closes.Add((close, started, clock.Elapsed));
            atClose[close.WindowId] = (await windows.FindAsync(close.WindowId, default))!;
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        var paymentWindows = await WindowsOfAsync("payments", bank);
        var reversalWindows = await WindowsOfAsync("reversals", bank);
        Assert.Equal(payments.Count, paymentWindows.Count);
        Assert.Equal(reversals.Count, reversalWindows.Count);
        Assert.All(paymentWindows.Values.Concat(reversalWindows.Values), matches => Assert.Single(matches));

        // The barrier: whatever committed before a close began is in the closed window or an earlier one, whatever was
        // sent after it ended is in a later one.
        foreach (var (close, started, ended) in closes)
        {
            foreach (var (reference, (_, sent, done)) in payments)
            {
                var window = paymentWindows[reference][0];
                Assert.True(done >= started || window <= close.WindowId, $"payment committed before close {close.WindowId} is in window {window}");
                Assert.True(sent <= ended || window >= close.NextWindowId, $"payment sent after close {close.WindowId} is in window {window}");
            }

            foreach (var (reference, (sent, done)) in reversals)
            {
                var window = reversalWindows[reference][0];
                Assert.True(done >= started || window <= close.WindowId, $"reversal committed before close {close.WindowId} is in window {window}");
                Assert.True(sent <= ended || window >= close.NextWindowId, $"reversal sent after close {close.WindowId} is in window {window}");
            }

            output.WriteLine($"close of window {close.WindowId}: commits held {close.InServer.TotalMilliseconds:F1} ms in the server ({close.LockWait.TotalMilliseconds:F1} ms waiting for commits in flight), {close.Elapsed.TotalMilliseconds:F1} ms round trip");
        }

        // Counts and sums per window, as the windows report them, against the journal's own.
        var closedIds = closes.Select(c => c.Close.WindowId).ToHashSet();
        var reported = (await windows.ListAsync(default)).Where(w => w.Currency == Syp).ToList();
        foreach (var id in closedIds)
        {
            var window = reported.Single(w => w.Id == id);
            Assert.Equal(WindowState.Closed, window.State);
            Assert.True(window.Payments > 0, $"window {id} holds no payment: the close met no load");
            // Closed is final: nothing committed after the close joined it.
            Assert.Equal(atClose[id], window);
        }

        Assert.Equal(await postgres.ScalarAsync<long>("select count(*) from payments where currency = 760 and response_code = '00'"), reported.Sum(w => w.Payments));
        Assert.Equal(await postgres.ScalarAsync<long>("select coalesce(sum(amount), 0)::bigint from payments where currency = 760 and response_code = '00'"),
            reported.Sum(w => w.Paid.Minor));
        Assert.Equal(await postgres.ScalarAsync<long>(
                "select coalesce(sum(r.amount), 0)::bigint from reversals r join payments p using (bank_code, reference, local_date) where p.currency = 760 and r.outcome = 'applied'"),
            reported.Sum(w => w.Reversed.Minor));
        Assert.Equal(payments.Values.Sum(p => p.Amount),
            paymentWindows.Sum(p => payments[p.Key].Amount));
    }

    [Fact]
    public async Task Reversal_of_a_payment_from_a_closed_window_falls_into_the_open_one()
    {
        var bank = await BankAsync();
        var windows = Windows();
        await using var journal = Journal();
        var reference = Fresh();
        await journal.AppendAsync(Payment(bank, reference, 4_200), Later, default);

        var close = await windows.CloseAsync(Syp, ClosedBy.Demand, CentralBank, default);
        var reversed = await journal.ReverseAsync(new ReversalEntry($"RV{reference}", new RequestKey(bank, reference, ""), 4_200, Edge.Rest, null), TimeSpan.FromMinutes(5), default);

        Assert.Equal(ReversalOutcome.Applied, reversed.Outcome);
        Assert.Equal([close.WindowId], (await WindowsOfAsync("payments", bank))[reference]);
        Assert.Equal([close.NextWindowId], (await WindowsOfAsync("reversals", bank))[reference]);
        var open = await windows.FindAsync(close.NextWindowId, default);
        Assert.Equal(WindowState.Open, open!.State);
    }

    [Fact]
    public async Task Settling_releases_the_window_from_its_banks_positions_and_closing_does_not()
    {
        var bank = await BankAsync();
        var windows = Windows();
        await using var journal = Journal();
        await windows.CloseAsync(Syp, ClosedBy.Demand, CentralBank, default);
        var first = Fresh();
        await journal.AppendAsync(Payment(bank, first, 10_000), Later, default);
        await journal.AppendAsync(Payment(bank, Fresh(), 2_500), Later, default);
        await postgres.ScalarAsync<int>("update banks set cap_applied = net_debit_cap where code = $1 returning 1", bank);

        var close = await windows.CloseAsync(Syp, ClosedBy.Demand, CentralBank, default);
        // In the open window: a payment, and the reversal of one from the closed window. Both stay unsettled.
        await journal.AppendAsync(Payment(bank, Fresh(), 700), Later, default);
        await journal.ReverseAsync(new ReversalEntry($"RV{first}", new RequestKey(bank, first, ""), 10_000, Edge.Rest, null), TimeSpan.FromMinutes(5), default);
        var whileClosed = await postgres.ScalarAsync<long>("select committed from bank_positions where bank_code = $1", bank);

        var confirmed = await windows.ConfirmAsync(close.WindowId, CentralBank, default);

        Assert.Equal(12_500 + 700 - 10_000, whileClosed);
        Assert.Equal(WindowChangeOutcome.Done, confirmed.Outcome);
        Assert.Equal(WindowState.Settled, confirmed.Window!.State);
        Assert.Equal(700 - 10_000, await postgres.ScalarAsync<long>("select committed from bank_positions where bank_code = $1", bank));
        Assert.Equal(700 - 10_000, await postgres.ScalarAsync<long>("select coalesce(sum(amount), 0)::bigint from unsettled_journal where bank_code = $1", bank));
        // Its position actor is made to read the released position again.
        Assert.Equal(0L, await postgres.ScalarAsync<long>("select count(*) from banks where code = $1 and cap_applied is not null", bank));
    }

    [Fact]
    public async Task Aborted_window_is_released_with_the_window_it_was_carried_into()
    {
        var bank = await BankAsync();
        var windows = Windows();
        await using var journal = Journal();
        await windows.CloseAsync(Syp, ClosedBy.Demand, CentralBank, default);
        await journal.AppendAsync(Payment(bank, Fresh(), 3_000), Later, default);
        var aborted = await windows.CloseAsync(Syp, ClosedBy.Demand, CentralBank, default);
        await journal.AppendAsync(Payment(bank, Fresh(), 400), Later, default);

        var abort = await windows.AbortAsync(aborted.WindowId, CentralBank, default);
        var next = await windows.CloseAsync(Syp, ClosedBy.Demand, CentralBank, default);
        await windows.ConfirmAsync(next.WindowId, CentralBank, default);

        Assert.Equal(WindowChangeOutcome.Done, abort.Outcome);
        Assert.Equal(aborted.NextWindowId, abort.Window!.CarriedInto);
        Assert.Equal(next.WindowId, aborted.NextWindowId);
        Assert.Equal(0L, await postgres.ScalarAsync<long>("select committed from bank_positions where bank_code = $1", bank));
    }

    [Fact]
    public async Task State_changes_out_of_turn_are_refused_and_change_nothing()
    {
        var windows = Windows();
        var close = await windows.CloseAsync(Syp, ClosedBy.Demand, CentralBank, default);
        var audited = await postgres.ScalarAsync<long>("select count(*) from audit_log where actor = 'cli:settlement-tests'");

        var confirmOpen = await windows.ConfirmAsync(close.NextWindowId, CentralBank, default);
        var abortOpen = await windows.AbortAsync(close.NextWindowId, CentralBank, default);
        var unknown = await windows.ConfirmAsync(long.MaxValue, CentralBank, default);
        Assert.Equal(WindowChangeOutcome.Done, (await windows.ConfirmAsync(close.WindowId, CentralBank, default)).Outcome);
        var confirmSettled = await windows.ConfirmAsync(close.WindowId, CentralBank, default);
        var abortSettled = await windows.AbortAsync(close.WindowId, CentralBank, default);

        Assert.Equal(WindowChangeOutcome.Refused, confirmOpen.Outcome);
        Assert.Equal(WindowChangeOutcome.Refused, abortOpen.Outcome);
        Assert.Equal(WindowChangeOutcome.NoSuchWindow, unknown.Outcome);
        Assert.Equal(WindowChangeOutcome.Refused, confirmSettled.Outcome);
        Assert.Equal(WindowChangeOutcome.Refused, abortSettled.Outcome);
        Assert.Contains("already settled", abortSettled.Reason);
        Assert.Equal(WindowState.Open, (await windows.FindAsync(close.NextWindowId, default))!.State);
        Assert.Equal(WindowState.Settled, (await windows.FindAsync(close.WindowId, default))!.State);
        Assert.Equal(audited + 1, await postgres.ScalarAsync<long>("select count(*) from audit_log where actor = 'cli:settlement-tests'"));
    }
}
