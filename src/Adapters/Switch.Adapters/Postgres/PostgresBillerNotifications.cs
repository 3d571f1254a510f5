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
    /// <remarks>
    /// One statement, so one snapshot: every transaction with an id below its xmin has ended, so the journal rows of that
    /// range are final and all visible. They get the next sequence numbers of their biller, in transaction order (a
    /// payment before its reversal, which can only start once the payment committed), and the cursor moves to that
    /// xmin. Only billers whose adapter notifies are dispatched to. An approval committed after its answer-by time is not
    /// one: it is (or is about to be) journaled as the 91 its bank heard (PostgresPaymentJournal.DeclineLateApprovalAsync),
    /// judged on the commit time of the transaction that wrote it, as there. The cursor row is locked, so two readers
    /// (a singleton's hand-over) never dispatch one range twice.
    /// </remarks>
    private const string Dispatch = """
        with bound as (
            select c.position as from_tx, pg_snapshot_xmin(pg_current_snapshot())::text::bigint as upto
              from notification_cursor c for update
        ), found as (
            select 'payment' as kind, p.biller_code, p.switch_reference, p.switch_reference as payment_reference, p.bank_code,
                   p.account_number, p.bill_id, p.amount, p.currency, p.channel, p.tx, p.created_at as committed_at
              from payments p, bound
             where p.tx >= bound.from_tx and p.tx < bound.upto and p.response_code = '00' and p.switch_reference is not null
               and p.biller_code in (select biller_code from biller_adapters where notify)
               and (p.answer_by is null
                    or coalesce(pg_xact_commit_timestamp(((p.tx % 4294967296)::text)::xid), '-infinity') <= p.answer_by)
            union all
            select 'reversal', p.biller_code, r.switch_reference, p.switch_reference, p.bank_code,
                   p.account_number, p.bill_id, r.amount, p.currency, p.channel, r.tx, r.created_at
              from reversals r join payments p using (bank_code, reference, local_date), bound
             where r.tx >= bound.from_tx and r.tx < bound.upto and r.outcome = 'applied' and p.switch_reference is not null
               and p.biller_code in (select biller_code from biller_adapters where notify)
        ), numbered as (
            select f.*, coalesce(s.last_sequence, 0)
                        + row_number() over (partition by f.biller_code order by f.tx, f.kind, f.switch_reference) as sequence
              from found f left join notification_sequences s using (biller_code)
        ), inserted as (
            insert into biller_notifications (biller_code, sequence, kind, switch_reference, payment_reference, bank_code,
                                              account_number, bill_number, amount, currency, channel, committed_at)
            select n.biller_code, n.sequence, n.kind, n.switch_reference, n.payment_reference, n.bank_code, n.account_number,
                   b.bill_number, n.amount, n.currency, n.channel, n.committed_at
              from numbered n left join bills b on b.id = n.bill_id
             order by n.biller_code, n.sequence
            returning biller_code
        ), sequenced as (
            insert into notification_sequences (biller_code, last_sequence)
            select biller_code, max(sequence) from numbered group by biller_code
            on conflict (biller_code) do update set last_sequence = excluded.last_sequence
        ), moved as (
            update notification_cursor set position = greatest(position, (select upto from bound))
        )
        select biller_code, count(*) from inserted group by biller_code
        """;

    private const string Columns =
        "biller_code, sequence, kind, switch_reference, payment_reference, bank_code, account_number, bill_number, amount, currency, channel, committed_at";

    /// <summary>Dispatches what the journal committed since the last call.</summary>
    /// <returns>How many notifications each biller was given.</returns>
    public async Task<IReadOnlyDictionary<string, long>> DispatchAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Dispatch);
        var counts = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
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

    /// <summary>A biller's pending notifications after <paramref name="afterSequence"/>, in sequence order.</summary>
    public Task<List<BillerNotification>> PendingAsync(string biller, long afterSequence, int limit, CancellationToken cancellationToken) =>
        ReadAsync($"select {Columns} from biller_notifications where biller_code = $1 and state = 'pending' and sequence > $2 order by sequence limit $3",
            [biller, afterSequence, limit], cancellationToken);

    /// <summary>Records the biller's acknowledgement of each notification; one that is no longer pending is left as it is.</summary>
    public async Task DeliveredAsync(string biller, long[] sequences, NotificationAnswer[] answers, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update biller_notifications n set state = 'delivered', answer = a.answer, delivered_at = now(), attempts = n.attempts + 1
              from unnest($2::bigint[], $3::text[]) as a(sequence, answer)
             where n.biller_code = $1 and n.sequence = a.sequence and n.state = 'pending'
            """);
        command.Parameters.AddWithValue(biller);
        command.Parameters.AddWithValue(sequences);
        command.Parameters.AddWithValue(answers.Select(a => a.ToString().ToLowerInvariant()).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Records a failed attempt, then parks what of the biller's pending notifications was committed before
    /// <paramref name="parkBefore"/>: a biller failing for longer than the maximum age leaves its old notifications to
    /// the operator queue. A biller that is merely slow to drain a backlog is never parked: only a failure parks.
    /// </summary>
    /// <returns>How many were parked.</returns>
    public async Task<int> FailedAsync(string biller, long[] sequences, string error, DateTimeOffset parkBefore, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with failed as (
                update biller_notifications set attempts = attempts + 1, first_failed_at = coalesce(first_failed_at, now()), last_error = left($3, 300)
                 where biller_code = $1 and sequence = any($2) and state = 'pending'
            )
            update biller_notifications set state = 'parked', first_failed_at = coalesce(first_failed_at, now()), last_error = coalesce(last_error, left($3, 300))
             where biller_code = $1 and state = 'pending' and coalesce(retried_at, committed_at) < $4
            """);
        command.Parameters.AddWithValue(biller);
        command.Parameters.AddWithValue(sequences);
        command.Parameters.AddWithValue(error);
        command.Parameters.AddWithValue(parkBefore);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ParkedNotification>> ParkedAsync(string? biller, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            select {Columns}, attempts, first_failed_at, last_error from biller_notifications
             where state = 'parked' and ($1::text is null or biller_code = $1) order by biller_code, sequence limit $2
            """);
        command.Parameters.Add(Nullable(NpgsqlDbType.Text, biller));
        command.Parameters.AddWithValue(limit);
        var parked = new List<ParkedNotification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            parked.Add(new ParkedNotification(Read(reader), reader.GetInt32(12), reader.IsDBNull(13) ? null : reader.GetFieldValue<DateTimeOffset>(13),
                reader.IsDBNull(14) ? null : reader.GetString(14)));
        }

        return parked;
    }

    /// <summary>Puts a biller's parked notifications (all, or the one of <paramref name="sequence"/>) back to pending, attempts reset.</summary>
    public Task<int> RetryParkedAsync(string biller, long? sequence, AuditActor who, CancellationToken cancellationToken) =>
        ChangeAsync("""
            update biller_notifications set state = 'pending', attempts = 0, first_failed_at = null, last_error = null, retried_at = now()
             where biller_code = $1 and state = 'parked' and ($2::bigint is null or sequence = $2)
            """, biller, sequence, who, "biller.notifications.retry", cancellationToken);

    /// <summary>A biller's replay request: its delivered notifications from <paramref name="fromSequence"/> on are delivered again, under the same numbers.</summary>
    /// <param name="who">Audited when an operator asks; null when the biller itself does (a signed request).</param>
    public Task<int> ReplayAsync(string biller, long fromSequence, AuditActor? who, CancellationToken cancellationToken) =>
        ChangeAsync("""
            update biller_notifications set state = 'pending', delivered_at = null, answer = null
             where biller_code = $1 and sequence >= $2 and state = 'delivered'
            """, biller, fromSequence, who, "biller.notifications.replay", cancellationToken);

    private async Task<int> ChangeAsync(string sql, string biller, long? sequence, AuditActor? who, string action, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue(biller);
        command.Parameters.Add(Nullable(NpgsqlDbType.Bigint, sequence));
        var changed = await command.ExecuteNonQueryAsync(cancellationToken);
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
            select s.biller_code,
                   count(*) filter (where n.state = 'pending'), count(*) filter (where n.state = 'delivered'),
                   count(*) filter (where n.state = 'parked'), s.last_sequence
              from notification_sequences s left join biller_notifications n using (biller_code)
             where $1::text is null or s.biller_code = $1
             group by s.biller_code, s.last_sequence order by s.biller_code
            """);
        command.Parameters.Add(Nullable(NpgsqlDbType.Text, biller));
        var counts = new List<NotificationCounts>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new NotificationCounts(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        }

        return counts;
    }

    private async Task<List<BillerNotification>> ReadAsync(string sql, object[] parameters, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        var rows = new List<BillerNotification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    private static BillerNotification Read(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetInt64(1), reader.GetString(2) == "payment" ? NotificationKind.Payment : NotificationKind.Reversal,
            reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
            new Money(reader.GetInt64(8), Currency.Stored(reader.GetInt16(9))), reader.GetString(10), reader.GetFieldValue<DateTimeOffset>(11));

    private static NpgsqlParameter Nullable(NpgsqlDbType type, object? value) => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };

    private static string AssociatedData(string biller) => $"biller-signing-key:{biller}";
}
