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
    /// <remarks>
    /// The database's clock decides whether an approval is still in time (its approve-by), row by row inside the commit,
    /// so no approval is ever visible after its bank heard 91. A bare <c>on conflict do nothing</c> skips a row whose key
    /// or approval code is taken; only the rows that were not written as sent come back, so in the common case the
    /// answer is empty: late (written as 91), duplicate (its key is journaled) or code (its approval code is taken).
    /// </remarks>
    private const string InsertBatch = """
        with incoming as materialized (
            select t.*, t.response_code = '00' and t.approve_by <= clock_timestamp() as late
              from unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[], $7::bigint[],
                          $8::bigint[], $9::smallint[], $10::text[], $11::text[], $12::text[], $13::text[],
                          $14::timestamptz[], $15::timestamptz[]) with ordinality
                as t(bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id,
                     amount, currency, channel, response_code, switch_reference, approval_code, approve_by, answer_by, n)
        ), inserted as (
            insert into payments (bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id,
                                  amount, currency, channel, response_code, switch_reference, approval_code, answer_by)
            select bank_code, reference, local_date, fingerprint, biller_code, account_number, bill_id, amount, currency, channel,
                   case when late then '91' else response_code end,
                   case when late then null else switch_reference end,
                   case when late then null else approval_code end,
                   case when response_code = '00' and not late then answer_by end
              from incoming
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
        select i.n, case when w.reference is not null then 'late'
                         when i.late or i.approval_code is null
                           or exists (select 1 from payments p
                                       where p.bank_code = i.bank_code and p.reference = i.reference and p.local_date = i.local_date)
                         then 'duplicate' else 'code' end
          from incoming i left join inserted w using (bank_code, reference, local_date)
         where w.reference is null or i.late
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
    /// before any bank is served. Only payments made within <paramref name="lookback"/> are read, so the check stays
    /// cheap on a large journal; a payment row is updated only when it stops being a standing approval, so its xmin is
    /// still the insert's when it matters.
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
             where created_at >= $1 and response_code = '00' and answer_by is not null
               and pg_xact_commit_timestamp(xmin) > answer_by
            """))
        {
            command.Parameters.AddWithValue(_time.GetUtcNow() - lookback);
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
                _logger.LogError(e, "A journal batch of {Count} payments was not written", entries.Count);
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
        Add(command, NpgsqlDbType.Bigint, batch.Select(p => p.Entry.Amount));
        Add(command, NpgsqlDbType.Smallint, batch.Select(p => (short)p.Entry.Currency));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.Channel.ToString().ToUpperInvariant()));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.ResponseCode));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.SwitchReference));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Entry.ApprovalCode));
        Add(command, NpgsqlDbType.TimestampTz, batch.Select(p => p.Deadline.ApproveBy));
        Add(command, NpgsqlDbType.TimestampTz, batch.Select(p => p.Deadline.AnswerBy));

        var exceptions = new Dictionary<long, JournalOutcome>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            exceptions[reader.GetInt64(0)] = reader.GetString(1) switch
            {
                "late" => JournalOutcome.TooLate,
                "duplicate" => JournalOutcome.Duplicate,
                _ => JournalOutcome.ApprovalCodeTaken,
            };
        }

        return exceptions;
    }

    private static void Add<T>(NpgsqlCommand command, NpgsqlDbType elementType, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | elementType, Value = values.ToArray() });

    private sealed record Pending(JournalEntry Entry, Deadline Deadline, TaskCompletionSource<JournalOutcome> Outcome);
}
