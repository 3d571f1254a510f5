using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Switch.Diagnostics;
using Switch.Monetary;
using Switch.Transactions;

namespace Switch.Adapters.Postgres;

/// <summary>
/// The payments journal with group commit: entries queue up, and one writer inserts everything waiting in a
/// single statement (one transaction, one fsync), then completes each caller. Under load a commit carries
/// hundreds of payments; alone, an entry is written at once. Approved payments add to their bill's amount paid
/// in the same statement, so bill and journal never disagree.
/// </summary>
public sealed class PostgresPaymentJournal : IPaymentJournal, IAsyncDisposable
{
    /// <remarks>
    /// The database's clock decides whether an approval is still in time (its approve-by), row by row inside the commit,
    /// so no approval is ever visible after its bank heard 91. A bare <c>on conflict do nothing</c> skips a row whose key
    /// is taken; only the rows that were not written as sent come back, so in the common case the answer is empty: late
    /// (written as 91), duplicate (its key is journaled), or the decline code an approval was journaled with because it
    /// may no longer stand (journal_refusals, migration 0013: the bill's rule against what is outstanding now, the bank's
    /// cap against its committed total; this is what keeps money exact whichever nodes commit at once).
    /// </remarks>
    private const string InsertBatch = """
        with incoming as materialized (
            select t.*, t.response_code = '00' and t.approve_by <= clock_timestamp() as late
              from unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[], $7::bigint[],
                          $8::bigint[], $9::smallint[], $10::text[], $11::text[], $12::text[], $13::text[],
                          $14::timestamptz[], $15::timestamptz[], $16::text[], $17::text[]) with ordinality
                as t(bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id,
                     amount, currency, channel, response_code, switch_reference, approval_code, approve_by, answer_by, stan, transmitted_at, n)
        ), refused as materialized (
            select * from journal_refusals($1::text[], $7::bigint[], $8::bigint[],
                                           array(select response_code = '00' and not late from incoming order by n), $14::timestamptz[])
        ), inserted as (
            insert into payments (bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id,
                                  amount, currency, channel, response_code, switch_reference, approval_code, answer_by,
                                  stan, transmitted_at)
            select bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id, amount, currency, channel,
                   case when late then '91' else coalesce(r.code, response_code) end,
                   case when late or r.code is not null then null else switch_reference end,
                   case when late or r.code is not null then null else approval_code end,
                   case when response_code = '00' and not late and r.code is null then answer_by end,
                   stan, transmitted_at
              from incoming left join refused r using (n)
             order by n
            on conflict do nothing
            returning bank_code, reference, local_date, bill_id, amount, response_code
        ), paid as (
            update bills b
               set amount_paid = b.amount_paid + p.total,
                   status = case when b.amount_paid + p.total >= b.amount_due then 'paid' else b.status end
              from (select bill_id, sum(amount) as total from inserted
                     where response_code = '00' and bill_id is not null group by bill_id) p
             where b.id = p.bill_id
        )
        select i.n, case when w.reference is not null then case when r.code is null or r.code = '91' then 'late' else r.code end
                         else 'duplicate' end
          from incoming i left join refused r using (n) left join inserted w using (bank_code, reference, local_date)
         where w.reference is null or i.late or r.code is not null
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresPaymentJournal> _logger;
    private readonly RepeatedFailures _failures;
    private readonly TimeProvider _time;
    private readonly int _maxBatch;
    private readonly Channel<Pending> _queue;
    private readonly Task _writer;
    private long _batches;

    public PostgresPaymentJournal(NpgsqlDataSource dataSource, ILogger<PostgresPaymentJournal> logger, TimeProvider time, int maxBatch = 1000)
    {
        _dataSource = dataSource;
        _logger = logger;
        _time = time;
        _failures = new RepeatedFailures(time, RepeatedFailures.Interval);
        _maxBatch = maxBatch;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(maxBatch * 20) { SingleReader = true });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Commits so far; fewer than entries written when commits are shared.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public async Task<JournalOutcome> AppendAsync(JournalEntry entry, Deadline deadline, CancellationToken cancellationToken)
    {
        var pending = new Pending(entry, deadline, new TaskCompletionSource<JournalOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        // Once queued the entry will be written; a caller that stops waiting must treat the outcome as unknown.
        return await pending.Outcome.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Turns every approval committed after its answer-by time into the 91 its bank heard, giving its bill the amount
    /// back: the flow does so itself when such a commit returns, but not if the process died first. Run at start,
    /// before any bank is served. Only approvals made within <paramref name="lookback"/> are read, found by their switch
    /// reference (which starts with the time it was made) on its unique index, so the check stays cheap on a large
    /// journal; a payment row is updated only when it stops being a standing approval, so its xmin is still the insert's
    /// when it matters.
    /// </summary>
    /// <returns>How many approvals were turned into 91.</returns>
    public async Task<int> DeclineApprovalsCommittedLateAsync(TimeSpan lookback, CancellationToken cancellationToken)
    {
        await using (var setting = _dataSource.CreateCommand("select current_setting('track_commit_timestamp')"))
        {
            if ((string?)await setting.ExecuteScalarAsync(cancellationToken) != "on")
            {
                throw new InvalidOperationException(
                    "PostgreSQL's track_commit_timestamp is off: the switch needs commit timestamps to find approvals committed after "
                    + "their bank was answered 91. Set track_commit_timestamp = on in postgresql.conf and restart PostgreSQL.");
            }
        }

        var late = new List<RequestKey>();
        await using (var command = _dataSource.CreateCommand("""
            select bank_code, reference, local_date from payments
             where switch_reference >= $1 and response_code = '00' and answer_by is not null
               and pg_xact_commit_timestamp(xmin) > answer_by
            """))
        {
            command.Parameters.AddWithValue(SwitchReferences.EarliestAt(_time.GetUtcNow() - lookback));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                late.Add(new RequestKey(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        var declined = 0;
        foreach (var key in late)
        {
            if (await DeclineLateApprovalAsync(key, cancellationToken))
            {
                declined++;
                _logger.LogWarning("Payment {Key} was committed after its bank was answered 91; journaled as that 91", key);
            }
        }

        return declined;
    }

    public async Task<JournalEntry?> FindAsync(RequestKey key, CancellationToken cancellationToken) =>
        (await FindRecordAsync(key, cancellationToken))?.Entry;

    public Task<PaymentRecord?> FindRecordAsync(RequestKey key, CancellationToken cancellationToken) =>
        FindRecordAsync("bank_code = $1 and reference = $2 and local_date = $3", [key.Bank, key.Reference, key.LocalDate], cancellationToken);

    public Task<PaymentRecord?> FindByReferenceAsync(string bank, string switchReference, CancellationToken cancellationToken) =>
        FindRecordAsync("bank_code = $1 and switch_reference = $2", [bank, switchReference], cancellationToken);

    private async Task<PaymentRecord?> FindRecordAsync(string condition, string[] parameters, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"""
            select bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id, amount, currency, channel,
                   response_code, switch_reference, approval_code, stan, transmitted_at,
                   exists (select from reversals r where r.bank_code = p.bank_code and r.reference = p.reference
                                                     and r.local_date = p.local_date and r.outcome = 'applied')
              from payments p where {condition}
            """);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var entry = new JournalEntry(new RequestKey(reader.GetString(0), reader.GetString(1), reader.GetString(2)), (byte[])reader[3],
            reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), new Money(reader.GetInt64(7), Currency.Stored(reader.GetInt16(8))),
            Enum.Parse<Billing.Channel>(reader.GetString(9), ignoreCase: true), reader.GetString(10),
            reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetString(12))
        {
            Trace = reader.IsDBNull(13) || reader.IsDBNull(14) ? null : new IsoTrace(reader.GetString(13), reader.GetString(14)),
        };
        var status = entry.ResponseCode != ResponseCodes.Approved ? PaymentStatus.Declined
            : reader.GetBoolean(15) ? PaymentStatus.Reversed
            : PaymentStatus.Approved;
        return new PaymentRecord(entry, status);
    }

    public async Task<ReversalResult> ReverseAsync(ReversalEntry reversal, TimeSpan timeLimit, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The payment row is locked first, so reversals of one payment (and a late decline of it) take turns, and each
        // statement after this one sees what the one before it committed. A payment made over REST has no local date in
        // its key: a 0420 names it by its Idempotency-Key in 37 and the (UTC) date it was made in 13.
        var payment = await QueryRowAsync(connection, transaction, """
            select amount, bill_id, stan, transmitted_at, created_at >= now() - $4, local_date from payments
             where bank_code = $1 and reference = $2 and response_code = '00'
               and (local_date = $3 or (local_date = '' and right(to_char(created_at at time zone 'UTC', 'YYYYMMDD'), length($3)) = $3))
             order by local_date = $3 desc limit 1
               for update
            """, [reversal.Original.Bank, reversal.Original.Reference, reversal.Original.LocalDate, timeLimit], cancellationToken);
        if (payment is null || !NamesPayment(reversal.OriginalTrace, payment[2] as string, payment[3] as string))
        {
            return new ReversalResult(ReversalOutcome.NotFound);
        }

        var original = reversal.Original with { LocalDate = (string)payment[5] };

        var recorded = await QueryRowAsync(connection, transaction, """
            select amount, outcome, reason from reversals where bank_code = $1 and reference = $2 and local_date = $3
            """, [original.Bank, original.Reference, original.LocalDate], cancellationToken);
        if (recorded is not null)
        {
            return (long)recorded[0] != reversal.Amount ? new ReversalResult(ReversalOutcome.OtherContent)
                : new ReversalResult((string)recorded[1] == "applied" ? ReversalOutcome.Applied : ReversalOutcome.Exception, recorded[2] as string, Repeat: true);
        }

        var (paymentAmount, billId, inTime) = ((long)payment[0], payment[1] as long?, (bool)payment[4]);
        var reason = reversal.Amount != paymentAmount ? ReversalReasons.AmountDiffers
            : !inTime ? ReversalReasons.PastTimeLimit
            : null;
        await using (var insert = new NpgsqlCommand($"""
            with recorded as (
                insert into reversals (switch_reference, bank_code, reference, local_date, amount, outcome, reason, edge)
                values ($1, $2, $3, $4, $5, case when $6::text is null then 'applied' else 'exception' end, $6, $7)
            )
            update bills set amount_paid = amount_paid - $5, status = {StatusAfterRefund("$5")}
             where id = $8 and $6::text is null
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue(reversal.SwitchReference);
            insert.Parameters.AddWithValue(original.Bank);
            insert.Parameters.AddWithValue(original.Reference);
            insert.Parameters.AddWithValue(original.LocalDate);
            insert.Parameters.AddWithValue(reversal.Amount);
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)reason ?? DBNull.Value });
            insert.Parameters.AddWithValue(reversal.Edge.ToString().ToLowerInvariant());
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)billId ?? DBNull.Value });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new ReversalResult(reason is null ? ReversalOutcome.Applied : ReversalOutcome.Exception, reason);
    }

    /// <summary>
    /// A bill's status once <paramref name="refund"/> (an SQL expression) is taken off what it was paid, in an update of
    /// bills: a cancelled bill stays cancelled, another is paid or open by what is left.
    /// </summary>
    private static string StatusAfterRefund(string refund) =>
        $"case when status = 'cancelled' then status when amount_paid - {refund} >= amount_due then 'paid' else 'open' end";

    /// <summary>
    /// Whether field 90's STAN and field 7 name the payment. A payment made over REST journaled neither: its key alone
    /// names it; so does a REST reversal, which has no field 90.
    /// </summary>
    private static bool NamesPayment(IsoTrace? named, string? stan, string? transmittedAt) =>
        named is not { } trace || stan is null || (trace.Stan == stan && trace.TransmittedAt == transmittedAt);

    private static async Task<object[]?> QueryRowAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object[] parameters, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var row = new object[reader.FieldCount];
        reader.GetValues(row);
        return row.Select(value => value is DBNull ? null! : value).ToArray();
    }

    public async Task<bool> DeclineLateApprovalAsync(RequestKey key, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Locked first, as a reversal locks it: the decline then sees a reversal that committed meanwhile.
        object[] parameters = [key.Bank, key.Reference, key.LocalDate];
        if (await QueryRowAsync(connection, transaction, """
                select 1 from payments where bank_code = $1 and reference = $2 and local_date = $3 and response_code = '00' for update
                """, parameters, cancellationToken) is null)
        {
            return false;
        }

        var declined = await QueryRowAsync(connection, transaction, $"""
            with declined as (
                update payments p set response_code = '91', switch_reference = null, approval_code = null
                  from (select switch_reference as erased from payments where bank_code = $1 and reference = $2 and local_date = $3) o
                 where bank_code = $1 and reference = $2 and local_date = $3 and response_code = '00'
                   and not exists (select from reversals r where r.bank_code = p.bank_code and r.reference = p.reference
                                                              and r.local_date = p.local_date and r.outcome = 'applied')
                returning bill_id, amount, o.erased
            ), remembered as (
                -- Its biller may have been notified of it already: it is told of the cancellation (migration 0023).
                insert into payment_late_declines (bank_code, reference, local_date, switch_reference)
                select $1, $2, $3, erased from declined where erased is not null
            ), credited as (
                update bills b set amount_paid = b.amount_paid - d.amount, status = {StatusAfterRefund("d.amount")}
                  from declined d where b.id = d.bill_id
            )
            select count(*) from declined
            """, parameters, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (long)declined![0] == 1;
    }

    public async Task<IReadOnlyList<ReversalException>> ListReversalExceptionsAsync(string? bank, string? biller, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            select r.switch_reference, r.bank_code, r.reference, r.local_date, p.switch_reference, p.biller_code, r.amount, p.amount,
                   p.currency, r.reason, r.edge, r.created_at
              from reversals r join payments p using (bank_code, reference, local_date)
             where r.outcome = 'exception' and ($1::text is null or r.bank_code = $1) and ($2::text is null or p.biller_code = $2)
             order by r.created_at, r.switch_reference
            """);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)bank ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)biller ?? DBNull.Value });
        var exceptions = new List<ReversalException>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var currency = Currency.Stored(reader.GetInt16(8));
            exceptions.Add(new ReversalException(reader.GetString(0), new RequestKey(reader.GetString(1), reader.GetString(2), reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), new Money(reader.GetInt64(6), currency), new Money(reader.GetInt64(7), currency),
                reader.GetString(9), Enum.Parse<Edge>(reader.GetString(10), ignoreCase: true), reader.GetFieldValue<DateTimeOffset>(11)));
        }

        return exceptions;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var keys = new HashSet<RequestKey>();
        var twins = new Queue<Pending>();
        while (twins.Count > 0 || await _queue.Reader.WaitToReadAsync())
        {
            // An entry whose key is already in the batch waits for the next one, where it meets its twin as a duplicate:
            // one statement cannot tell which of two rows with one key it wrote.
            var carried = twins.Count;
            while (batch.Count < _maxBatch && (carried-- > 0 ? twins.TryDequeue(out var pending) : _queue.Reader.TryRead(out pending)))
            {
                if (keys.Add(pending.Entry.Key))
                {
                    batch.Add(pending);
                }
                else
                {
                    twins.Enqueue(pending);
                }
            }

            await CommitAsync(batch);
            batch.Clear();
            keys.Clear();
        }
    }

    /// <summary>
    /// Writes the entries in one commit and completes their callers. When PostgreSQL refuses a row's data (a NUL byte,
    /// a broken reference), nothing was written and the statement does not say which row it was: the halves are written
    /// apart, down to the row itself, so only it fails and everyone else's payment commits. Any other failure (PostgreSQL
    /// unreachable) fails them all.
    /// </summary>
    private async Task CommitAsync(List<Pending> entries)
    {
        Dictionary<long, JournalOutcome> exceptions;
        try
        {
            exceptions = await WriteAsync(entries);
        }
        catch (Exception e) when (RefusesOneRow(e) && entries.Count > 1)
        {
            var half = entries.Count / 2;
            await CommitAsync(entries.GetRange(0, half));
            await CommitAsync(entries.GetRange(half, entries.Count - half));
            return;
        }
        catch (Exception e)
        {
            if (entries.Count == 1 && RefusesOneRow(e))
            {
                _logger.LogError("A journal entry of bank {Bank} was refused ({Error}: {Message})", entries[0].Entry.Key.Bank,
                    e is PostgresException refused ? refused.SqlState : e.GetType().Name, e is PostgresException p ? p.MessageText : e.Message);
            }
            else
            {
                if (_failures.Next(e) is (true, var notLogged))
                {
                    _logger.LogError(e, "A journal batch of {Count} payments was not written ({NotLogged} batches failed like it since the last logged)",
                        entries.Count, notLogged);
                }
            }

            foreach (var pending in entries)
            {
                pending.Outcome.SetException(e);
            }

            return;
        }

        Interlocked.Increment(ref _batches);
        for (var i = 0; i < entries.Count; i++)
        {
            entries[i].Outcome.SetResult(exceptions.GetValueOrDefault(i + 1, JournalOutcome.Written));
        }
    }

    /// <summary>
    /// A data error of one row: PostgreSQL's classes 22 and 23 (not a key conflict, which the insert skips anyway), or a
    /// value Npgsql cannot send at all (text that is not valid UTF-16).
    /// </summary>
    private static bool RefusesOneRow(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("22", StringComparison.Ordinal)
            || (p.SqlState.StartsWith("23", StringComparison.Ordinal) && p.SqlState != PostgresErrorCodes.UniqueViolation),
        ArgumentException => true,
        _ => false,
    };

    /// <returns>By position in <paramref name="entries"/> (from 1), the outcome of each entry not written as sent.</returns>
    private async Task<Dictionary<long, JournalOutcome>> WriteAsync(List<Pending> batch)
    {
        await using var command = _dataSource.CreateCommand(InsertBatch);
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Key.Bank));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Key.Reference));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Key.LocalDate));
        Add(command, NpgsqlDbType.Bytea, batch.Select(p => p.Entry.Fingerprint));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.BillerCode));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.AccountNumber));
        Add(command, NpgsqlDbType.Bigint, batch.Select(p => p.Entry.BillId));
        Add(command, NpgsqlDbType.Bigint, batch.Select(p => p.Entry.Amount.Minor));
        Add(command, NpgsqlDbType.Smallint, batch.Select(p => (short)p.Entry.Amount.Currency.Numeric));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Channel.ToString().ToUpperInvariant()));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.ResponseCode));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.SwitchReference));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.ApprovalCode));
        Add(command, NpgsqlDbType.TimestampTz, batch.Select(p => p.Deadline.ApproveBy));
        Add(command, NpgsqlDbType.TimestampTz, batch.Select(p => p.Deadline.AnswerBy));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Trace?.Stan));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Trace?.TransmittedAt));

        var exceptions = new Dictionary<long, JournalOutcome>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            exceptions[reader.GetInt64(0)] = reader.GetString(1) switch
            {
                "late" => JournalOutcome.TooLate,
                "duplicate" => JournalOutcome.Duplicate,
                _ => JournalOutcome.Refused,
            };
        }

        return exceptions;
    }

    private static void Add<T>(NpgsqlCommand command, NpgsqlDbType elementType, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | elementType, Value = values.ToArray() });

    private sealed record Pending(JournalEntry Entry, Deadline Deadline, TaskCompletionSource<JournalOutcome> Outcome);
}
