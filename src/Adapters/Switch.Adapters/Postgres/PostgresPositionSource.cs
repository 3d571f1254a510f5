using Npgsql;
using Switch.Positions;

namespace Switch.Adapters.Postgres;

/// <summary>
/// A bank's cap and its committed position as the journal has it: approved payments not reversed, summed by the
/// journal's own triggers into bank_positions (migration 0004); and the cap its position actor last acknowledged
/// (banks.cap_applied, migration 0008).
/// </summary>
public sealed class PostgresPositionSource(NpgsqlDataSource dataSource) : IPositionSource
{
    public async Task<JournalPosition> ReadAsync(string bank, IReadOnlyCollection<string> references, CancellationToken cancellationToken)
    {
        // One statement, so one snapshot: the total counts exactly the approvals the array lists.
        await using var command = dataSource.CreateCommand("""
            select k.net_debit_cap, coalesce(p.committed, 0),
                   array(select j.switch_reference from payments j
                          where j.switch_reference = any($2) and j.bank_code = $1 and j.response_code = '00')
              from banks k left join bank_positions p on p.bank_code = k.code
             where k.code = $1
            """);
        command.Parameters.AddWithValue(bank);
        command.Parameters.AddWithValue(references.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        // An unknown bank gets a cap of zero: it can reserve nothing.
        return await reader.ReadAsync(cancellationToken)
            ? new JournalPosition(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<string[]>(2).ToHashSet())
            : new JournalPosition(0, 0, new HashSet<string>());
    }

    public async Task<IReadOnlyList<BankCap>> CapsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select code, net_debit_cap, cap_applied is not distinct from net_debit_cap from banks");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var caps = new List<BankCap>();
        while (await reader.ReadAsync(cancellationToken))
        {
            caps.Add(new BankCap(reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2)));
        }

        return caps;
    }

    public async Task AcknowledgeCapAsync(string bank, long cap, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update banks set cap_applied = $2 where code = $1 and net_debit_cap = $2");
        command.Parameters.AddWithValue(bank);
        command.Parameters.AddWithValue(cap);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Writes a bank's new cap; false when there is no such bank. Its position actor picks it up at the next cap refresh.</summary>
    /// <summary>Writes the bank's new net debit cap with its audit record, in one transaction; false (nothing written) for no such bank.</summary>
    public async Task<bool> SetCapAsync(string bank, long cap, AuditActor who, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var change = new NpgsqlCommand("""
            update banks b set net_debit_cap = $2 from (select net_debit_cap from banks where code = $1 for update) old
             where b.code = $1 returning old.net_debit_cap
            """, connection, transaction);
        change.Parameters.AddWithValue(bank);
        change.Parameters.AddWithValue(cap);
        if (await change.ExecuteScalarAsync(cancellationToken) is not long before)
        {
            return false;
        }

        await PostgresAuditTrail.RecordAsync(transaction, who, "bank.net_debit_cap.set", $"bank:{bank}",
            $$"""{"netDebitCap": {{before}}}""", $$"""{"netDebitCap": {{cap}}}""", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The bank's cap and the one its position actor last acknowledged (null: none since the cap last changed), or null for no such bank.</summary>
    public async Task<(long Cap, long? Applied)?> FindCapAsync(string bank, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select net_debit_cap, cap_applied from banks where code = $1");
        command.Parameters.AddWithValue(bank);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1)) : null;
    }
}
