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
                                 $8::bigint[], $9::smallint[], $10::text[], $11::text[], $12::text[], $13::text[])
                as t(bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id,
                     amount, currency, channel, response_code, switch_reference, approval_code)
        ), inserted as (
            insert into payments (bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id,
                                  amount, currency, channel, response_code, switch_reference, approval_code)
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
                   response_code, switch_reference, approval_code, reversed_at is not null
              from payments where {condition}
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
            reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetString(12));
        var status = entry.ResponseCode != ResponseCodes.Approved ? PaymentStatus.Declined
            : reader.GetBoolean(13) ? PaymentStatus.Reversed
            : PaymentStatus.Approved;
        return new PaymentRecord(entry, status);
    }

    public async Task<ReversalOutcome> ReverseAsync(RequestKey original, long amount, TimeSpan timeLimit, CancellationToken cancellationToken)
    {
        // One statement: the payment row is locked, marked and its bill credited back together, or nothing happens.
        await using var command = _dataSource.CreateCommand("""
            with target as (
                select amount, reversed_at, created_at >= now() - $5 as in_time from payments
                 where bank_code = $1 and reference = $2 and local_date = $3 and response_code = '00'
                   for update
            ), reversed as (
                update payments p set reversed_at = now()
                  from target t
                 where p.bank_code = $1 and p.reference = $2 and p.local_date = $3
                   and t.reversed_at is null and t.amount = $4 and t.in_time
                returning p.bill_id, p.amount
            ), credited as (
                update bills b set amount_paid = b.amount_paid - r.amount, status = 'open'
                  from reversed r where b.id = r.bill_id
            )
            select t.amount, t.reversed_at is not null, t.in_time, (select count(*) from reversed) from target t
            """);
        command.Parameters.AddWithValue(original.Bank);
        command.Parameters.AddWithValue(original.Reference);
        command.Parameters.AddWithValue(original.LocalDate);
        command.Parameters.AddWithValue(amount);
        command.Parameters.AddWithValue(timeLimit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return ReversalOutcome.NotFound;
        }

        return reader.GetInt64(3) == 1 ? ReversalOutcome.Reversed
            : reader.GetBoolean(1) ? ReversalOutcome.AlreadyReversed
            : reader.GetInt64(0) != amount ? ReversalOutcome.AmountDiffers
            : ReversalOutcome.TooLate;
    }

    public async Task<bool> DeclineLateApprovalAsync(RequestKey key, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            with declined as (
                update payments set response_code = '91', switch_reference = null, approval_code = null
                 where bank_code = $1 and reference = $2 and local_date = $3 and response_code = '00' and reversed_at is null
                returning bill_id, amount
            ), credited as (
                update bills b set amount_paid = b.amount_paid - d.amount, status = 'open'
                  from declined d where b.id = d.bill_id
            )
            select count(*) from declined
            """);
        command.Parameters.AddWithValue(key.Bank);
        command.Parameters.AddWithValue(key.Reference);
        command.Parameters.AddWithValue(key.LocalDate);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! == 1;
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
