using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
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
    private const string InsertBatch = """
        with incoming as (
            select * from unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[], $7::bigint[],
                                 $8::bigint[], $9::smallint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
                as t(bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id,
                     amount, currency, channel, response_code, switch_reference, approval_code, stan, transmitted_at)
        ), inserted as (
            insert into payments (bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id,
                                  amount, currency, channel, response_code, switch_reference, approval_code, stan, transmitted_at)
            select * from incoming
            on conflict (bank_code, reference, local_date) do nothing
            returning bank_code, reference, local_date, bill_id, amount, response_code
        ), paid as (
            update bills b
               set amount_paid = b.amount_paid + p.total,
                   status = case when b.amount_paid + p.total >= b.amount_due then 'paid' else b.status end
              from (select bill_id, sum(amount) as total from inserted
                     where response_code = '00' and bill_id is not null group by bill_id) p
             where b.id = p.bill_id
        )
        select bank_code, reference, local_date from inserted
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresPaymentJournal> _logger;
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
        _maxBatch = maxBatch;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(maxBatch * 20) { SingleReader = true });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Commits so far; fewer than entries written when commits are shared.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public async Task<JournalOutcome> AppendAsync(JournalEntry entry, DateTimeOffset approveBy, CancellationToken cancellationToken)
    {
        var pending = new Pending(entry, approveBy, new TaskCompletionSource<JournalOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        // Once queued the entry will be written; a caller that stops waiting must treat the outcome as unknown.
        return await pending.Outcome.Task.WaitAsync(cancellationToken);
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
            reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetInt64(7), reader.GetInt16(8),
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
        await using (var insert = new NpgsqlCommand("""
            with recorded as (
                insert into reversals (switch_reference, bank_code, reference, local_date, amount, outcome, reason, edge)
                values ($1, $2, $3, $4, $5, case when $6::text is null then 'applied' else 'exception' end, $6, $7)
            )
            update bills set amount_paid = amount_paid - $5,
                   status = case when status = 'cancelled' then status when amount_paid - $5 >= amount_due then 'paid' else 'open' end
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

        var declined = await QueryRowAsync(connection, transaction, """
            with declined as (
                update payments p set response_code = '91', switch_reference = null, approval_code = null
                 where bank_code = $1 and reference = $2 and local_date = $3 and response_code = '00'
                   and not exists (select from reversals r where r.bank_code = p.bank_code and r.reference = p.reference
                                                              and r.local_date = p.local_date and r.outcome = 'applied')
                returning bill_id, amount
            ), credited as (
                update bills b set amount_paid = b.amount_paid - d.amount,
                       status = case when b.status = 'cancelled' then b.status when b.amount_paid - d.amount >= b.amount_due then 'paid' else 'open' end
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
            exceptions.Add(new ReversalException(reader.GetString(0), new RequestKey(reader.GetString(1), reader.GetString(2), reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt16(8),
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
        while (await _queue.Reader.WaitToReadAsync())
        {
            var now = _time.GetUtcNow();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending.ApproveBy < now && pending.Entry.ResponseCode == ResponseCodes.Approved ? pending.TooLate() : pending);
            }

            try
            {
                var written = await WriteAsync(batch);
                Interlocked.Increment(ref _batches);
                foreach (var pending in batch)
                {
                    // Only the first of several entries with one key was inserted; the rest are its duplicates.
                    pending.Outcome.SetResult(!written.Remove(pending.Entry.Key) ? JournalOutcome.Duplicate
                        : pending.WrittenTooLate ? JournalOutcome.TooLate : JournalOutcome.Written);
                }
            }
            catch (Exception e)
            {
                _logger.LogError(e, "A journal batch of {Count} payments was not written", batch.Count);
                foreach (var pending in batch)
                {
                    pending.Outcome.SetException(e);
                }
            }

            batch.Clear();
        }
    }

    private async Task<HashSet<RequestKey>> WriteAsync(List<Pending> batch)
    {
        await using var command = _dataSource.CreateCommand(InsertBatch);
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Key.Bank));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Key.Reference));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Key.LocalDate));
        Add(command, NpgsqlDbType.Bytea, batch.Select(p => p.Entry.Fingerprint));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.BillerCode));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.AccountNumber));
        Add(command, NpgsqlDbType.Bigint, batch.Select(p => p.Entry.BillId));
        Add(command, NpgsqlDbType.Bigint, batch.Select(p => p.Entry.Amount));
        Add(command, NpgsqlDbType.Smallint, batch.Select(p => (short)p.Entry.Currency));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Channel.ToString().ToUpperInvariant()));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.ResponseCode));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.SwitchReference));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.ApprovalCode));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Trace?.Stan));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Trace?.TransmittedAt));

        var written = new HashSet<RequestKey>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            written.Add(new RequestKey(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return written;
    }

    private static void Add<T>(NpgsqlCommand command, NpgsqlDbType elementType, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | elementType, Value = values.ToArray() });

    private sealed record Pending(JournalEntry Entry, DateTimeOffset ApproveBy, TaskCompletionSource<JournalOutcome> Outcome)
    {
        public bool WrittenTooLate { get; private init; }

        /// <summary>The bank was answered 91 while this approval waited: the journal must say what the bank heard.</summary>
        public Pending TooLate() => this with
        {
            Entry = Entry with { ResponseCode = ResponseCodes.Unavailable, SwitchReference = null, ApprovalCode = null },
            WrittenTooLate = true,
        };
    }
}
