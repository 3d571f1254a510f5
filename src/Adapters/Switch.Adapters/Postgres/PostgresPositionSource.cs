using Npgsql;
using Switch.Positions;

namespace Switch.Adapters.Postgres;

/// <summary>
/// A bank's cap and its committed position as the journal has it: approved payments not reversed, summed by the
/// journal's own triggers into bank_positions (migration 0004).
/// </summary>
public sealed class PostgresPositionSource(NpgsqlDataSource dataSource) : IPositionSource
{
    public async Task<(long Cap, long Committed)> LoadAsync(string bank, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select k.net_debit_cap, coalesce(p.committed, 0)
              from banks k left join bank_positions p on p.bank_code = k.code
             where k.code = $1
            """);
        command.Parameters.AddWithValue(bank);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        // An unknown bank gets a cap of zero: it can reserve nothing.
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }
}
