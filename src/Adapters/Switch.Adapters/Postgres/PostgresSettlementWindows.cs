using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Switch.Monetary;
using Switch.Settlement.Netting;
using Switch.Settlement.Windows;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Settlement windows in PostgreSQL (migration 0020): the close is the barrier that decides every payment's and
/// reversal's window inside its own commit, on whichever node; confirm and abort are guarded state changes, each
/// audited in its own transaction. Settling a window releases what its banks' positions hold for it.
/// </summary>
public sealed class PostgresSettlementWindows(NpgsqlDataSource dataSource, ILogger<PostgresSettlementWindows> logger)
{
    /// <summary>
    /// How long the close waits for its lock before it steps back and tries again. Commits in flight take milliseconds;
    /// a reversal that holds the epoch while it waits for a journal commit queued behind the close would otherwise
    /// stall both until PostgreSQL's deadlock check (a second) rearranged the queue.
    /// </summary>
    private static readonly TimeSpan LockPatience = TimeSpan.FromMilliseconds(100);

    /// <summary>Which rows a window holds: its currency, over its epoch range (open: to this day).</summary>
    private const string WindowRows = """
        p.currency = w.currency and p.settlement_epoch >= w.first_epoch and p.settlement_epoch <= coalesce(w.last_epoch, 9223372036854775807)
        """;

    private static readonly string SelectWindows = $"""
        select w.id, w.currency, w.state, w.opened_at, w.closed_at, w.closed_by, w.ended_at, w.carried_into,
               t.payments, t.paid, v.reversals, v.reversed
          from settlement_windows w
          cross join lateral (select count(*) as payments, coalesce(sum(p.amount), 0)::bigint as paid from payments p
                               where {WindowRows} and p.response_code = '00') t
          cross join lateral (select count(*) as reversals, coalesce(sum(r.amount), 0)::bigint as reversed
                                from reversals r join payments p using (bank_code, reference, local_date)
                               where r.outcome = 'applied' and p.currency = w.currency and r.settlement_epoch >= w.first_epoch
                                 and r.settlement_epoch <= coalesce(w.last_epoch, 9223372036854775807)) v
        """;

    /// <summary>
    /// Closes the open window of <paramref name="currency"/> and opens the next, in one transaction under the barrier's
    /// exclusive lock. Logs how long commits were held up.
    /// </summary>
    public async Task<WindowClose> CloseAsync(Currency currency, ClosedBy by, AuditActor? who, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // One statement, so its own transaction: the lock is held from its grant to the commit inside the server,
                // and commits wait from the moment it is asked for until then. The connection is opened first, so the
                // round trip timed here is the statement's.
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                var started = Stopwatch.GetTimestamp();
                await using var close = new NpgsqlCommand("""
                    with closed as materialized (
                        select * from close_settlement_window_at_once($1, $2, $3)
                    ), audited as (
                        insert into audit_log (api_key_id, role, actor, action, subject, before, after)
                        select $4, $5, $6, 'settlement.window.close', 'window:' || closed_id, '{"state": "open"}',
                               jsonb_build_object('state', 'closed', 'next', next_id)
                          from closed where $6::text is not null
                    )
                    select closed_id, next_id, lock_wait, clock_timestamp() - statement_timestamp() from closed
                    """, connection);
                close.Parameters.AddWithValue((short)currency.Numeric);
                close.Parameters.AddWithValue(by == ClosedBy.Cutoff ? "cutoff" : "demand");
                close.Parameters.AddWithValue($"{(int)LockPatience.TotalMilliseconds}ms");
                close.Parameters.Add(new NpgsqlParameter { Value = (object?)who?.KeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                close.Parameters.Add(new NpgsqlParameter { Value = (object?)who?.Role ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                close.Parameters.Add(new NpgsqlParameter { Value = (object?)who?.Name ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                long closed, next;
                TimeSpan lockWait, inServer;
                await using (var reader = await close.ExecuteReaderAsync(cancellationToken))
                {
                    await reader.ReadAsync(cancellationToken);
                    (closed, next, lockWait, inServer) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetTimeSpan(2), reader.GetTimeSpan(3));
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                logger.LogInformation(
                    "Settlement window {Window} ({Currency}) closed by {By}; window {Next} open. Commits were held {Held:F1} ms in the server ({LockWait:F1} ms of it waiting for commits in flight) plus the close's commit; {Elapsed:F1} ms round trip (attempt {Attempt})",
                    closed, currency.Alpha, by, next, inServer.TotalMilliseconds, lockWait.TotalMilliseconds, elapsed.TotalMilliseconds, attempt);
                return new WindowClose(closed, next, lockWait, inServer, elapsed);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable && attempt < 50)
            {
                logger.LogInformation("Settlement close of {Currency}: commits in flight held the barrier past {Patience}; trying again", currency.Alpha, LockPatience);
            }
        }
    }

    /// <summary>Closes the open window of every currency that has one (a cut-off).</summary>
    public async Task<IReadOnlyList<WindowClose>> CloseAllAsync(ClosedBy by, CancellationToken cancellationToken)
    {
        var currencies = new List<short>();
        await using (var open = dataSource.CreateCommand("select currency from settlement_windows where state = 'open' order by currency"))
        await using (var reader = await open.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                currencies.Add(reader.GetInt16(0));
            }
        }

        var closes = new List<WindowClose>();
        foreach (var currency in currencies)
        {
            closes.Add(await CloseAsync(Currency.Stored(currency), by, null, cancellationToken));
        }

        return closes;
    }

    public async Task<IReadOnlyList<SettlementWindow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SelectWindows + " order by w.id");
        return await ReadWindowsAsync(command, cancellationToken);
    }

    public async Task<SettlementWindow?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SelectWindows + " where w.id = $1");
        command.Parameters.AddWithValue(id);
        return (await ReadWindowsAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// The central bank confirms a closed window settled: what its payments and reversals (and those of every aborted
    /// window carried into it) added to each bank's position is taken off, and each such bank's position actor is made to
    /// read it again (its cap marked unacknowledged, which the cap watcher acts on), all in one transaction.
    /// </summary>
    public Task<WindowChange> ConfirmAsync(long id, AuditActor who, CancellationToken cancellationToken) =>
        ChangeAsync(id, WindowAction.Confirm, who, async (transaction, window) =>
        {
            // Every position row is locked first, in bank order as the journal's commit rules lock them, then changed.
            var banks = new List<string>();
            var amounts = new List<long>();
            await using (var owed = new NpgsqlCommand($"""
                with recursive settled(id) as (
                    select $1::bigint
                    union
                    select s.id from settlement_windows s join settled on s.carried_into = settled.id
                ), windows as (
                    select w.* from settlement_windows w join settled using (id)
                ), owed as (
                    select p.bank_code, p.amount from payments p join windows w on {WindowRows}
                     where p.response_code = '00'
                    union all
                    select r.bank_code, -r.amount from reversals r join payments p using (bank_code, reference, local_date)
                      join windows w on p.currency = w.currency and r.settlement_epoch >= w.first_epoch and r.settlement_epoch <= w.last_epoch
                     where r.outcome = 'applied'
                ), net as (
                    select bank_code, sum(amount)::bigint as amount from owed group by bank_code having sum(amount) <> 0
                )
                select b.bank_code, n.amount from bank_positions b join net n using (bank_code) order by b.bank_code for update of b
                """, transaction.Connection, transaction))
            {
                owed.Parameters.AddWithValue(window.Id);
                await using var reader = await owed.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    banks.Add(reader.GetString(0));
                    amounts.Add(reader.GetInt64(1));
                }
            }

            await using (var release = new NpgsqlCommand("""
                with released as (
                    update bank_positions b set committed = b.committed - u.amount
                      from unnest($1::text[], $2::bigint[]) as u(bank_code, amount) where b.bank_code = u.bank_code
                )
                update banks set cap_applied = null where code = any($1)
                """, transaction.Connection, transaction))
            {
                release.Parameters.AddWithValue(banks.ToArray());
                release.Parameters.AddWithValue(amounts.ToArray());
                await release.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var settle = new NpgsqlCommand("update settlement_windows set state = 'settled', ended_at = now() where id = $1", transaction.Connection, transaction);
            settle.Parameters.AddWithValue(window.Id);
            await settle.ExecuteNonQueryAsync(cancellationToken);
            return ("""{"state": "settled"}""", (IReadOnlyList<string>)banks);
        }, cancellationToken);

    /// <summary>
    /// The central bank aborts a closed window: nothing is released, and its contents are settled with the window open
    /// now in its currency (they stay in the journal as they are; the open window takes them over).
    /// </summary>
    public Task<WindowChange> AbortAsync(long id, AuditActor who, CancellationToken cancellationToken) =>
        ChangeAsync(id, WindowAction.Abort, who, async (transaction, window) =>
        {
            await using var abort = new NpgsqlCommand("""
                update settlement_windows set state = 'aborted', ended_at = now(),
                       carried_into = (select id from settlement_windows where currency = $2 and state = 'open')
                 where id = $1 returning carried_into
                """, transaction.Connection, transaction);
            abort.Parameters.AddWithValue(window.Id);
            abort.Parameters.AddWithValue((short)window.Currency.Numeric);
            var into = await abort.ExecuteScalarAsync(cancellationToken);
            return ($$"""{"state": "aborted", "carriedInto": {{into}}}""", (IReadOnlyList<string>)[]);
        }, cancellationToken);

    /// <summary>
    /// What each paying bank's customers paid each biller in a closed or settled window (with the aborted windows carried
    /// into it), and what was reversed in it, for netting; null for no such window, a refusal for an open or aborted one
    /// (an open window's contents still change; an aborted one's are netted with the window it was carried into).
    /// </summary>
    public async Task<(SettlementWindow? Window, string? Refusal, IReadOnlyList<WindowFlow> Flows)> FlowsAsync(long id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } window)
        {
            return (null, $"there is no settlement window {id}", []);
        }

        if (window.State is WindowState.Open or WindowState.Aborted)
        {
            return (window, $"window {id} is {window.State.ToString().ToLowerInvariant()}: only a closed or settled window has final net positions", []);
        }

        await using var command = dataSource.CreateCommand($"""
            with recursive netted(id) as (
                select $1::bigint
                union
                select s.id from settlement_windows s join netted on s.carried_into = netted.id
            ), windows as (
                select w.* from settlement_windows w join netted using (id)
            ), flows as (
                select p.bank_code, p.biller_code, p.amount as paid, 0::bigint as reversed from payments p join windows w on {WindowRows}
                 where p.response_code = '00'
                union all
                select r.bank_code, p.biller_code, 0, r.amount from reversals r join payments p using (bank_code, reference, local_date)
                  join windows w on p.currency = w.currency and r.settlement_epoch >= w.first_epoch and r.settlement_epoch <= w.last_epoch
                 where r.outcome = 'applied'
            )
            select bank_code, biller_code, sum(paid)::bigint, sum(reversed)::bigint from flows group by bank_code, biller_code order by bank_code, biller_code
            """);
        command.Parameters.AddWithValue(id);
        var flows = new List<WindowFlow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            flows.Add(new WindowFlow(reader.GetString(0), reader.GetString(1), new Money(reader.GetInt64(2), window.Currency), new Money(reader.GetInt64(3), window.Currency)));
        }

        return (window, null, flows);
    }

    private async Task<WindowChange> ChangeAsync(
        long id, WindowAction action, AuditActor who, Func<NpgsqlTransaction, SettlementWindow, Task<(string After, IReadOnlyList<string> Released)>> change, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Locked first: two changes of one window take turns, and the second sees the first's outcome.
        await using (var lockRow = new NpgsqlCommand("select 1 from settlement_windows where id = $1 for update", connection, transaction))
        {
            lockRow.Parameters.AddWithValue(id);
            if (await lockRow.ExecuteScalarAsync(cancellationToken) is null)
            {
                return new WindowChange(WindowChangeOutcome.NoSuchWindow, $"there is no settlement window {id}");
            }
        }

        await using var find = new NpgsqlCommand(SelectWindows + " where w.id = $1", connection, transaction);
        find.Parameters.AddWithValue(id);
        var window = (await ReadWindowsAsync(find, cancellationToken)).Single();
        if (WindowTransitions.Refusal(window.State, action) is { } refusal)
        {
            return new WindowChange(WindowChangeOutcome.Refused, $"window {id}: {refusal}", window);
        }

        var (after, released) = await change(transaction, window);
        await PostgresAuditTrail.RecordAsync(transaction, who, $"settlement.window.{action.ToString().ToLowerInvariant()}", $"window:{id}",
            $$"""{"state": "{{window.State.ToString().ToLowerInvariant()}}"}""", after, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Settlement window {Window} ({Currency}): {Action} by {Who}", id, window.Currency.Alpha, action, who.Name);
        return new WindowChange(WindowChangeOutcome.Done, null, await FindAsync(id, cancellationToken)) { Released = released };
    }

    private static async Task<IReadOnlyList<SettlementWindow>> ReadWindowsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var windows = new List<SettlementWindow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var currency = Currency.Stored(reader.GetInt16(1));
            windows.Add(new SettlementWindow(
                reader.GetInt64(0), currency, Enum.Parse<WindowState>(reader.GetString(2), ignoreCase: true),
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : Enum.Parse<ClosedBy>(reader.GetString(5), ignoreCase: true),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(7) ? null : reader.GetInt64(7),
                reader.GetInt64(8), new Money(reader.GetInt64(9), currency), reader.GetInt64(10), new Money(reader.GetInt64(11), currency)));
        }

        return windows;
    }
}
