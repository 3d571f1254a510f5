using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Switch.Billers.Upload;

namespace Switch.Adapters.Postgres;

/// <summary>What an upload did: counts of bills created, updated (amount or details replaced), cancelled and left as they were.</summary>
public sealed record UploadSummary(long UploadId, int Lines, int Created, int Updated, int Cancelled, int Unchanged, bool Replayed);

/// <summary>
/// Applies a biller's checked bill file (tables bill_uploads, bill_upload_lines, bills). The lines are staged with COPY
/// outside any transaction on bills, then checked against the bills as they stand and applied in one transaction: the
/// whole file or nothing. A bill that has payments is never silently replaced: a line that would change or cancel it
/// rejects the file (reverse the payments first). The same file (SHA-256) applied before changes nothing again.
/// Uploads of one biller are applied one at a time (an advisory lock on the biller).
/// </summary>
public sealed class PostgresBillUploads(NpgsqlDataSource dataSource, ILogger<PostgresBillUploads> logger)
{
    /// <summary>A statement over a whole file (a million lines) may take minutes on a busy server, far beyond Npgsql's 30 s default.</summary>
    private const int FileStatementSeconds = 600;

    /// <summary>Lines that would change or cancel a bill that has payments, each with its reason; the bills are locked.</summary>
    private const string PaidBillsChanged = """
            select s.line, 'bill ' || s.bill_number || ' has payments (' || b.amount_paid || ' minor units); an upload cannot '
                   || case when s.action = 'cancel' then 'cancel' else 'replace' end || ' it: reverse its payments first'
              from bill_upload_lines s
              join bills b on b.biller_code = $2 and b.bill_number = s.bill_number
             where s.upload_id = $1 and b.amount_paid > 0
               and (s.action = 'cancel' or (b.account_number, b.customer_name, b.amount_due, b.due_date, b.expiry_date)
                                           is distinct from (s.account_number, s.customer_name, s.amount_due, s.due_date, s.expiry_date))
             order by s.line
               for update of b
            """;

    /// <summary>The summary, or the lines that stop the file (with nothing changed).</summary>
    public async Task<(UploadSummary? Summary, IReadOnlyList<string> Problems)> ApplyAsync(
        string billerCode, byte[] fileHash, string format, IReadOnlyList<BillLine> lines, CancellationToken cancellationToken)
    {
        if (await AppliedAsync(dataSource, billerCode, fileHash, cancellationToken) is { } earlier)
        {
            return (earlier, []);
        }

        long id;
        await using (var insert = dataSource.CreateCommand("insert into bill_uploads (biller_code, file_hash, format, lines) values ($1, $2, $3, $4) returning id"))
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = billerCode });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = fileHash });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = format });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = lines.Count });
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            await StageAsync(id, lines, cancellationToken);
            var staged = Stopwatch.GetElapsedTime(started);
            var result = await ApplyStagedAsync(id, billerCode, fileHash, lines.Count, cancellationToken);
            logger.LogInformation("Upload {Upload} of biller {Biller}: {Lines} lines staged in {Staged} ms, checked and {Outcome} in {Applied} ms",
                id, billerCode, lines.Count, (int)staged.TotalMilliseconds, result.Item1 is null ? "rejected" : "applied",
                (int)(Stopwatch.GetElapsedTime(started) - staged).TotalMilliseconds);
            return result;
        }
        finally
        {
            await using var clear = dataSource.CreateCommand("delete from bill_upload_lines where upload_id = $1");
            clear.CommandTimeout = FileStatementSeconds;
            clear.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
            await clear.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task StageAsync(long id, IReadOnlyList<BillLine> lines, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "copy bill_upload_lines (upload_id, line, action, bill_number, account_number, customer_name, amount_due, due_date, expiry_date) from stdin (format binary)",
            cancellationToken))
        {
            copy.Timeout = TimeSpan.FromSeconds(FileStatementSeconds);
            foreach (var line in lines)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(line.Line, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(line.Action == BillAction.Cancel ? "cancel" : "open", NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(line.BillNumber, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(line.AccountNumber, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(line.CustomerName, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(line.AmountDue, NpgsqlDbType.Bigint, cancellationToken);
                if (line.Action == BillAction.Cancel)
                {
                    await copy.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await copy.WriteAsync(line.DueDate, NpgsqlDbType.Date, cancellationToken);
                }

                if (line.ExpiryDate is { } expiry)
                {
                    await copy.WriteAsync(expiry, NpgsqlDbType.Date, cancellationToken);
                }
                else
                {
                    await copy.WriteNullAsync(cancellationToken);
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }

        // Fresh statistics for the staged lines: without them the planner guesses a few rows and probes the bills once per line.
        await using var analyze = new NpgsqlCommand("analyze bill_upload_lines", connection) { CommandTimeout = FileStatementSeconds };
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<(UploadSummary?, IReadOnlyList<string>)> ApplyStagedAsync(long id, string billerCode, byte[] fileHash, int count, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var serialise = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended('bill_uploads:' || $1, 0))", connection, transaction))
        {
            serialise.Parameters.Add(new NpgsqlParameter<string> { TypedValue = billerCode });
            await serialise.ExecuteNonQueryAsync(cancellationToken);
        }

        // The same file applied meanwhile by another request: its answer, and this staging is dropped.
        if (await AppliedAsync(connection, transaction, billerCode, fileHash, cancellationToken) is { } earlier)
        {
            await transaction.RollbackAsync(cancellationToken);
            await MarkAsync(id, "rejected", null, cancellationToken);
            return (earlier, []);
        }

        // Bills the file would change that have payments (locked: no payment lands between this check and the apply),
        // and cancellations of bills that do not exist.
        var problems = new List<string>();
        await using (var check = new NpgsqlCommand(PaidBillsChanged, connection, transaction))
        {
            check.CommandTimeout = FileStatementSeconds;
            await ReadProblemsAsync(check, id, billerCode, problems, cancellationToken);
        }

        await using (var missing = new NpgsqlCommand("""
            select s.line, 'there is no bill ' || s.bill_number || ' to cancel'
              from bill_upload_lines s
             where s.upload_id = $1 and s.action = 'cancel'
               and not exists (select 1 from bills b where b.biller_code = $2 and b.bill_number = s.bill_number)
             order by s.line
             limit 100
            """, connection, transaction))
        {
            missing.CommandTimeout = FileStatementSeconds;
            await ReadProblemsAsync(missing, id, billerCode, problems, cancellationToken);
        }

        if (problems.Count > 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            await MarkAsync(id, "rejected", null, cancellationToken);
            return (null, problems);
        }

        int created, updated, cancelled;
        await using (var apply = new NpgsqlCommand("""
            with cancelled as (
                update bills b set status = 'cancelled'
                  from bill_upload_lines s
                 where s.upload_id = $1 and s.action = 'cancel' and b.biller_code = $2 and b.bill_number = s.bill_number and b.status <> 'cancelled' and b.amount_paid = 0
                returning 1),
            written as (
                insert into bills (biller_code, account_number, bill_number, customer_name, amount_due, due_date, expiry_date)
                select $2, s.account_number, s.bill_number, s.customer_name, s.amount_due, s.due_date, s.expiry_date
                  from bill_upload_lines s where s.upload_id = $1 and s.action = 'open'
                on conflict (biller_code, bill_number) do update
                   set account_number = excluded.account_number, customer_name = excluded.customer_name, amount_due = excluded.amount_due,
                       due_date = excluded.due_date, expiry_date = excluded.expiry_date, status = 'open'
                 where bills.amount_paid = 0
                   and (bills.account_number, bills.customer_name, bills.amount_due, bills.due_date, bills.expiry_date, bills.status)
                       is distinct from (excluded.account_number, excluded.customer_name, excluded.amount_due, excluded.due_date, excluded.expiry_date, 'open')
                returning xmax = 0 as inserted)
            select (select count(*) from written where inserted)::int, (select count(*) from written where not inserted)::int, (select count(*) from cancelled)::int
            """, connection, transaction))
        {
            apply.CommandTimeout = FileStatementSeconds;
            apply.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
            apply.Parameters.Add(new NpgsqlParameter<string> { TypedValue = billerCode });
            await using var reader = await apply.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (created, updated, cancelled) = (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
        }

        // A payment may have landed on a bill of the file after the check above: the apply left that bill as it was (it
        // replaces only bills without payments), so the file was not applied whole and is rejected after all.
        await using (var paidMeanwhile = new NpgsqlCommand(PaidBillsChanged.Replace("for update of b", "", StringComparison.Ordinal), connection, transaction))
        {
            paidMeanwhile.CommandTimeout = FileStatementSeconds;
            await ReadProblemsAsync(paidMeanwhile, id, billerCode, problems, cancellationToken);
        }

        if (problems.Count > 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            await MarkAsync(id, "rejected", null, cancellationToken);
            return (null, problems);
        }

        var summary = new UploadSummary(id, count, created, updated, cancelled, count - created - updated - cancelled, Replayed: false);
        await MarkAsync(connection, transaction, id, "applied", summary, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (summary, []);
    }

    private static async Task ReadProblemsAsync(NpgsqlCommand command, long id, string billerCode, List<string> problems, CancellationToken cancellationToken)
    {
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = billerCode });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken) && problems.Count < BillFile.MaxReported)
        {
            problems.Add($"line {reader.GetInt32(0)}: {reader.GetString(1)}");
        }
    }

    private async Task MarkAsync(long id, string state, UploadSummary? summary, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await MarkAsync(connection, null, id, state, summary, cancellationToken);
    }

    private static async Task MarkAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, string state, UploadSummary? summary, CancellationToken cancellationToken)
    {
        await using var mark = new NpgsqlCommand("""
            update bill_uploads set state = $2, created = $3, updated = $4, cancelled = $5, unchanged = $6,
                   applied_at = case when $2 = 'applied' then now() end
             where id = $1
            """, connection, transaction);
        mark.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        mark.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state });
        foreach (var value in new int?[] { summary?.Created, summary?.Updated, summary?.Cancelled, summary?.Unchanged })
        {
            mark.Parameters.Add(new NpgsqlParameter { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        }

        await mark.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The answer of the same file applied before, or null.</summary>
    public Task<UploadSummary?> AppliedAsync(string billerCode, byte[] fileHash, CancellationToken cancellationToken) =>
        AppliedAsync(dataSource, billerCode, fileHash, cancellationToken);

    private static async Task<UploadSummary?> AppliedAsync(NpgsqlDataSource dataSource, string billerCode, byte[] fileHash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await AppliedAsync(connection, null, billerCode, fileHash, cancellationToken);
    }

    private static async Task<UploadSummary?> AppliedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string billerCode, byte[] fileHash, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand("""
            select id, lines, created, updated, cancelled, unchanged from bill_uploads where biller_code = $1 and file_hash = $2 and state = 'applied'
            """, connection, transaction);
        find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = billerCode });
        find.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = fileHash });
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UploadSummary(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), Replayed: true)
            : null;
    }
}
