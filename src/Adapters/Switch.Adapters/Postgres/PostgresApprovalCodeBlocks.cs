using Npgsql;
using Switch.Transactions;

namespace Switch.Adapters.Postgres;

/// <summary>
/// The approval code counters in approval_code_counters: taking a block is one statement, whose row lock makes two
/// nodes taking blocks of one bank's day at once take turns.
/// </summary>
public sealed class PostgresApprovalCodeBlocks(NpgsqlDataSource dataSource) : IApprovalCodeBlocks
{
    public async Task<long> TakeAsync(string bank, DateOnly day, int size, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into approval_code_counters as c (bank_code, day, taken) values ($1, $2, $3)
            on conflict (bank_code, day) do update set taken = c.taken + excluded.taken
            returning taken - $3
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bank });
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = size });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
