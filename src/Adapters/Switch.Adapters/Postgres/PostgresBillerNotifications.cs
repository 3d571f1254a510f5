using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Switch.Adapters.Secrets;
using Switch.Billers.Notifications;
using Switch.Monetary;

namespace Switch.Adapters.Postgres;

/// <summary>
/// The journal read as an outbox (migration 0019): dispatch, delivery state, the operator queue and replays of the
/// biller notifications. Nothing here runs on the payment path: the journal records a row for delivery by its own
/// commit (the tx column's default), and this class reads it afterwards.
/// </summary>
public sealed class PostgresBillerNotifications(NpgsqlDataSource dataSource, KeyEncryptionKey kek)
{
    /// <summary>
    /// Whether a journal row is a notification, on what never changes once it is committed: an approval (answer_by is
    /// set only on one, and never cleared) whose transaction committed by its answer-by time (one committed later is, or is
    /// about to be, the 91 its bank heard: PostgresPaymentJournal.DeclineApprovalsCommittedLateAsync judges it so too).
    /// Commit times are kept as long as PostgreSQL keeps its transaction status (a replay of a range older than that
    /// counts every approval).
    /// </summary>
    private const string InTime = "p.answer_by is not null and coalesce(pg_xact_commit_timestamp(((p.tx % 4294967296)::text)::xid), '-infinity') <= p.answer_by";

    /// <summary>
    /// The notifications among the journal's rows with <paramref name="from"/> &lt;= tx &lt; <paramref name="upto"/> of the
    /// billers <paramref name="billers"/> selects (SQL over p, a payment): its approvals in time, its applied reversals,
    /// and the cancellations of approvals declined after their commit.
    /// </summary>
    private static string Journal(string billers, string from, string upto) => $"""
        select p.biller_code, 'payment' as kind, p.tx, p.bank_code, p.reference, p.local_date,
               coalesce(p.switch_reference, d.switch_reference) as switch_reference, coalesce(p.switch_reference, d.switch_reference) as payment_reference,
               p.account_number, p.bill_id, p.amount, p.currency, p.channel, p.created_at as committed_at
          from payments p left join payment_late_declines d using (bank_code, reference, local_date)
         where p.tx >= {from} and p.tx < {upto} and {InTime} and {billers}
        union all
        select p.biller_code, 'reversal', r.tx, r.bank_code, r.reference, r.local_date, r.switch_reference, p.switch_reference,
               p.account_number, p.bill_id, r.amount, p.currency, p.channel, r.created_at
          from reversals r join payments p using (bank_code, reference, local_date)
         where r.tx >= {from} and r.tx < {upto} and r.outcome = 'applied' and {billers}
        union all
        select p.biller_code, 'cancellation', d.tx, d.bank_code, d.reference, d.local_date, 'CX' || substr(d.switch_reference, 3), d.switch_reference,
               p.account_number, p.bill_id, p.amount, p.currency, p.channel,
               coalesce(pg_xact_commit_timestamp(((d.tx % 4294967296)::text)::xid), p.created_at)
          from payment_late_declines d join payments p using (bank_code, reference, local_date)
         where d.tx >= {from} and d.tx < {upto} and {InTime} and {billers}
        """;

    /// <summary>The order of a range's notifications, which their sequence numbers follow.</summary>
    private const string Order = "order by j.tx, j.kind, j.bank_code, j.reference, j.local_date";

    private const string Selected = """
        n.sequence, n.kind, n.switch_reference, n.payment_reference, n.bank_code, n.account_number, bl.bill_number, n.amount, n.currency,
        n.channel, n.committed_at
        """;

    /// <remarks>
    /// One statement, so one snapshot: every transaction with an id below its xmin has ended, so the journal rows of that
    /// range are final and all visible. Each biller with an adapter that notifies and with rows in the range gets the
    /// next sequence numbers for them, and the cursor moves to that xmin. The cursor row is locked, so two readers (a
    /// singleton's hand-over) never dispatch one range twice. The notifications come back too, so that a notifier that is
    /// keeping up need not read them again.
    /// </remarks>
    private static readonly string Dispatch = $"""
        with bound as (
            select c.position as first_tx, pg_snapshot_xmin(pg_current_snapshot())::text::bigint as upto
              from notification_cursor c for update
        ), found as materialized (
            {Journal("p.biller_code in (select biller_code from biller_adapters where notify)",
                "(select first_tx from bound)", "(select upto from bound)")}
        ), last as (
            select f.biller_code, coalesce(max(b.last_sequence), 0) as last
              from (select distinct biller_code from found) f left join notification_batches b using (biller_code) group by f.biller_code
        ), numbered as (
            select l.last + row_number() over (partition by j.biller_code {Order}) as sequence, j.*
              from found j join last l using (biller_code)
        ), inserted as (
            insert into notification_batches (biller_code, first_sequence, last_sequence, first_tx, upto_tx)
            select n.biller_code, min(n.sequence), max(n.sequence), bound.first_tx, bound.upto from numbered n, bound
             group by n.biller_code, bound.first_tx, bound.upto
        ), moved as (
            update notification_cursor set position = (select upto from bound) where position < (select upto from bound)
        )
        select n.biller_code, {Selected}
          from numbered n left join bills bl on bl.id = n.bill_id order by n.biller_code, n.sequence
        """;

    /// <summary>
    /// One biller's notifications from its dispatches with a last sequence above $2, numbered in their fixed order,
    /// those in the acknowledged set left out, at most $3. $2 is raised to the biller's watermark (every number up to it
    /// acknowledged), so a notifier reading from 0 starts where its biller is.
    /// </summary>
    private static readonly string Load = $"""
        with acks as (
            select coalesce((select acked from notification_acks where biller_code = $1), int8multirange()) as acked,
                   (select retried_at from notification_acks where biller_code = $1) as retried_at
        ), mark as (
            select greatest($2, coalesce((select max(upper(r)) - 1 from acks, unnest(acks.acked) r where lower(r) = 1), 0)) as after
        ), batches as (
            select b.* from notification_batches b, mark
             where b.biller_code = $1 and b.last_sequence > mark.after order by b.first_sequence limit 64
        ), numbered as (
            select b.first_sequence - 1 + row_number() over (partition by b.first_sequence {Order}) as sequence, j.*
              from batches b cross join lateral ({Journal("p.biller_code = $1", "b.first_tx", "b.upto_tx")}) j
        )
        select n.biller_code, {Selected}, acks.retried_at
          from numbered n cross join acks cross join mark left join bills bl on bl.id = n.bill_id
         where n.sequence > mark.after and not acks.acked @> n.sequence
         order by n.sequence limit $3
        """;

    /// <summary>Dispatches what the journal committed since the last call.</summary>
    /// <returns>The notifications each biller was given, in sequence order.</returns>
    public async Task<IReadOnlyDictionary<string, List<BillerNotification>>> DispatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginRangeReadAsync(connection, cancellationToken);
        await using (var summarize = new NpgsqlCommand(
            "select brin_summarize_new_values('payments_by_tx'), brin_summarize_new_values('reversals_by_tx')", connection, transaction))
        {
            await summarize.ExecuteNonQueryAsync(cancellationToken);
        }

        var dispatched = new Dictionary<string, List<BillerNotification>>();
        await using (var command = new NpgsqlCommand(Dispatch, connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var notification = Read(reader);
                if (!dispatched.TryGetValue(notification.Biller, out var rows))
                {
                    dispatched[notification.Biller] = rows = [];
                }

                rows.Add(notification);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return dispatched;
    }

    /// <summary>
    /// A transaction whose statements find journal ranges by their BRIN index. The planner would rather read the whole
    /// journal whenever its statistics are behind (a busy journal grows faster than autoanalyze looks), and a scan of
    /// the whole journal several times a second is what this design exists to avoid. Without JIT: the cost that keeps the
    /// planner off sequential scans made PostgreSQL compile every dispatch, 3 s of CPU each.
    /// </summary>
    private static async Task<NpgsqlTransaction> BeginRangeReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var setting = new NpgsqlCommand("set local enable_seqscan = off; set local jit = off", connection, transaction);
        await setting.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }

    public async Task<BillerAdapterSettings?> AdapterAsync(string biller, CancellationToken cancellationToken) =>
        (await AdaptersAsync(cancellationToken, biller)).SingleOrDefault();

    public async Task<IReadOnlyList<BillerAdapterSettings>> AdaptersAsync(CancellationToken cancellationToken, string? only = null)
    {
        await using var command = dataSource.CreateCommand("""
            select biller_code, endpoint_url, key_ciphertext, key_nonce, key_tag, posting_mode, rate_per_second, max_in_flight,
                   batch_size, timeout_ms, notify
              from biller_adapters where $1::text is null or biller_code = $1 order by biller_code
            """);
        command.Parameters.Add(Nullable(NpgsqlDbType.Text, only));
        var adapters = new List<BillerAdapterSettings>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var biller = reader.GetString(0);
            var key = reader.IsDBNull(2) ? null
                : kek.Open(new SealedSecret((byte[])reader[2], (byte[])reader[3], (byte[])reader[4]), AssociatedData(biller), $"biller {biller}'s signing key");
            adapters.Add(new BillerAdapterSettings(biller, new Uri(reader.GetString(1)), key, reader.GetString(5), reader.GetInt32(6),
                reader.GetInt32(7), reader.GetInt32(8), TimeSpan.FromMilliseconds(reader.GetInt32(9)), reader.GetBoolean(10)));
        }

        return adapters;
    }

    /// <summary>
    /// Sets a biller's adapter, sealing its signing key under the KEK. Notifications start with the journal's next
    /// dispatch: what its biller was paid before it had an adapter is in the reconciliation file, not notified.
    /// </summary>
    public async Task SetAdapterAsync(BillerAdapterSettings settings, AuditActor who, CancellationToken cancellationToken)
    {
        var sealedKey = settings.SigningKey is null ? null : kek.Seal(settings.SigningKey, AssociatedData(settings.Biller));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            insert into biller_adapters (biller_code, endpoint_url, key_ciphertext, key_nonce, key_tag, posting_mode, rate_per_second,
                                         max_in_flight, batch_size, timeout_ms, notify)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            on conflict (biller_code) do update set endpoint_url = excluded.endpoint_url, key_ciphertext = excluded.key_ciphertext,
                key_nonce = excluded.key_nonce, key_tag = excluded.key_tag, posting_mode = excluded.posting_mode,
                rate_per_second = excluded.rate_per_second, max_in_flight = excluded.max_in_flight, batch_size = excluded.batch_size,
                timeout_ms = excluded.timeout_ms, notify = excluded.notify, updated_at = now()
            """, connection, transaction);
        command.Parameters.AddWithValue(settings.Biller);
        command.Parameters.AddWithValue(settings.Endpoint.ToString());
        command.Parameters.Add(Nullable(NpgsqlDbType.Bytea, sealedKey?.Ciphertext));
        command.Parameters.Add(Nullable(NpgsqlDbType.Bytea, sealedKey?.Nonce));
        command.Parameters.Add(Nullable(NpgsqlDbType.Bytea, sealedKey?.Tag));
        command.Parameters.AddWithValue(settings.PostingMode);
        command.Parameters.AddWithValue(settings.RatePerSecond);
        command.Parameters.AddWithValue(settings.MaxInFlight);
        command.Parameters.AddWithValue(settings.BatchSize);
        command.Parameters.AddWithValue((int)settings.Timeout.TotalMilliseconds);
        command.Parameters.AddWithValue(settings.Notify);
        await command.ExecuteNonQueryAsync(cancellationToken);
        // The key itself never goes into the trail: only that one was set.
        await PostgresAuditTrail.RecordAsync(transaction, who, "biller.adapter.set", $"biller:{settings.Biller}", null, JsonSerializer.Serialize(new
        {
            endpoint = settings.Endpoint.ToString(), signingKeySet = settings.SigningKey is not null, postingMode = settings.PostingMode,
            ratePerSecond = settings.RatePerSecond, maxInFlight = settings.MaxInFlight, batchSize = settings.BatchSize,
            timeoutMs = (int)settings.Timeout.TotalMilliseconds, notify = settings.Notify,
        }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A biller's notifications not yet acknowledged, after <paramref name="afterSequence"/> (and its watermark), in sequence order.</summary>
    public async Task<PendingNotifications> PendingAsync(string biller, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginRangeReadAsync(connection, cancellationToken);
        await using var command = new NpgsqlCommand(Load, connection, transaction);
        command.Parameters.AddWithValue(biller);
        command.Parameters.AddWithValue(afterSequence);
        command.Parameters.AddWithValue(limit);
        var rows = new List<BillerNotification>();
        DateTimeOffset? retriedAt = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
            retriedAt = reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12);
        }

        return new PendingNotifications(rows, retriedAt);
    }

    /// <summary>Records the biller's acknowledgement of each notification (and, for a rejected one, the exception).</summary>
    public async Task DeliveredAsync(string biller, IReadOnlyList<BillerNotification> notifications, IReadOnlyDictionary<long, NotificationAnswer> answers, CancellationToken cancellationToken)
    {
        var acknowledged = notifications.Where(n => answers.ContainsKey(n.Sequence)).ToArray();
        await using var command = dataSource.CreateCommand("""
            with acked as (
                insert into notification_acks (biller_code, acked)
                select $1, range_agg(int8range(s, s + 1)) from unnest($2::bigint[]) s
                on conflict (biller_code) do update set acked = notification_acks.acked + excluded.acked
            )
            insert into notification_rejections (biller_code, sequence, switch_reference)
            select $1, a.sequence, a.reference from unnest($2::bigint[], $3::text[], $4::text[]) as a(sequence, answer, reference)
             where a.answer = 'rejected'
            on conflict do nothing
            """);
        command.Parameters.AddWithValue(biller);
        command.Parameters.AddWithValue(acknowledged.Select(n => n.Sequence).ToArray());
        command.Parameters.AddWithValue(acknowledged.Select(n => answers[n.Sequence].ToString().ToLowerInvariant()).ToArray());
        command.Parameters.AddWithValue(acknowledged.Select(n => n.SwitchReference).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Parks notifications that kept failing past the maximum age: listed in the operator queue, and done with for the
    /// notifier until an operator retries them.
    /// </summary>
    public async Task ParkAsync(string biller, IReadOnlyList<BillerNotification> notifications, string error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with parked as (
                insert into notification_parked (biller_code, sequence, switch_reference, kind, amount, currency, committed_at, last_error)
                select $1, n.sequence, n.reference, n.kind, n.amount, n.currency, n.committed_at, left($8, 300)
                  from unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::smallint[], $7::timestamptz[])
                    as n(sequence, reference, kind, amount, currency, committed_at)
                on conflict do nothing
            )
            insert into notification_acks (biller_code, acked)
            select $1, range_agg(int8range(s, s + 1)) from unnest($2::bigint[]) s
            on conflict (biller_code) do update set acked = notification_acks.acked + excluded.acked
            """);
        command.Parameters.AddWithValue(biller);
        command.Parameters.AddWithValue(notifications.Select(n => n.Sequence).ToArray());
        command.Parameters.AddWithValue(notifications.Select(n => n.SwitchReference).ToArray());
        command.Parameters.AddWithValue(notifications.Select(n => n.Kind.ToString().ToLowerInvariant()).ToArray());
        command.Parameters.AddWithValue(notifications.Select(n => n.Amount.Minor).ToArray());
        command.Parameters.AddWithValue(notifications.Select(n => (short)n.Amount.Currency.Numeric).ToArray());
        command.Parameters.AddWithValue(notifications.Select(n => n.CommittedAt).ToArray());
        command.Parameters.AddWithValue(error);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ParkedNotification>> ParkedAsync(string? biller, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select biller_code, sequence, kind, switch_reference, amount, currency, committed_at, parked_at, last_error from notification_parked
             where $1::text is null or biller_code = $1 order by biller_code, sequence limit $2
            """);
        command.Parameters.Add(Nullable(NpgsqlDbType.Text, biller));
        command.Parameters.AddWithValue(limit);
        var parked = new List<ParkedNotification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            parked.Add(new ParkedNotification(reader.GetString(0), reader.GetInt64(1), Enum.Parse<NotificationKind>(reader.GetString(2), ignoreCase: true),
                reader.GetString(3), new Money(reader.GetInt64(4), Currency.Stored(reader.GetInt16(5))), reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        return parked;
    }

    /// <summary>Puts a biller's parked notifications (all, or the one of <paramref name="sequence"/>) back to be delivered; their age counts from now.</summary>
    public Task<int> RetryParkedAsync(string biller, long? sequence, AuditActor who, CancellationToken cancellationToken) =>
        ChangeAsync("""
            with retried as (
                delete from notification_parked where biller_code = $1 and ($2::bigint is null or sequence = $2) returning sequence
            ), reopened as (
                update notification_acks set acked = acked - coalesce((select range_agg(int8range(sequence, sequence + 1)) from retried), '{}'),
                                             retried_at = now()
                 where biller_code = $1
            )
            select count(*) from retried
            """, biller, sequence, who, "biller.notifications.retry", cancellationToken);

    /// <summary>
    /// A biller's replay request: its notifications from <paramref name="fromSequence"/> on are delivered again, under the
    /// same numbers (parked ones among them too).
    /// </summary>
    /// <param name="who">Audited when an operator asks; null when the biller itself does (a signed request).</param>
    public Task<int> ReplayAsync(string biller, long fromSequence, AuditActor? who, CancellationToken cancellationToken) =>
        ChangeAsync("""
            with unparked as (
                delete from notification_parked where biller_code = $1 and sequence >= $2
            ), before as (
                select acked from notification_acks where biller_code = $1 for update
            ), reopened as (
                update notification_acks set acked = acked - int8multirange(int8range($2, null)) where biller_code = $1
            )
            select coalesce(sum(upper(r) - lower(r)), 0)::bigint
              from before, unnest(before.acked * int8multirange(int8range($2, null))) r
            """, biller, fromSequence, who, "biller.notifications.replay", cancellationToken);

    private async Task<int> ChangeAsync(string sql, string biller, long? sequence, AuditActor? who, string action, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue(biller);
        command.Parameters.Add(Nullable(NpgsqlDbType.Bigint, sequence));
        var changed = (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (who is not null)
        {
            await PostgresAuditTrail.RecordAsync(transaction, who, action, $"biller:{biller}", null,
                JsonSerializer.Serialize(new { sequence, notifications = changed }), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return changed;
    }

    public async Task<IReadOnlyList<NotificationCounts>> CountsAsync(string? biller, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with last as (
                select biller_code, max(last_sequence) as last_sequence from notification_batches
                 where $1::text is null or biller_code = $1 group by biller_code
            )
            select l.biller_code, l.last_sequence,
                   coalesce((select sum(upper(r) - lower(r)) from notification_acks a, unnest(a.acked) r where a.biller_code = l.biller_code), 0)::bigint,
                   (select count(*) from notification_parked p where p.biller_code = l.biller_code),
                   (select count(*) from notification_rejections j where j.biller_code = l.biller_code)
              from last l order by l.biller_code
            """);
        command.Parameters.Add(Nullable(NpgsqlDbType.Text, biller));
        var counts = new List<NotificationCounts>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (last, done, parked) = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
            counts.Add(new NotificationCounts(reader.GetString(0), last - done, done - parked, parked, reader.GetInt64(4), last));
        }

        return counts;
    }

    /// <summary>A notification as <see cref="Selected"/> (after the biller code) gives it.</summary>
    private static BillerNotification Read(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetInt64(1), Enum.Parse<NotificationKind>(reader.GetString(2), ignoreCase: true),
            reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
            new Money(reader.GetInt64(8), Currency.Stored(reader.GetInt16(9))), reader.GetString(10), reader.GetFieldValue<DateTimeOffset>(11));

    private static NpgsqlParameter Nullable(NpgsqlDbType type, object? value) => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };

    private static string AssociatedData(string biller) => $"biller-signing-key:{biller}";
}
