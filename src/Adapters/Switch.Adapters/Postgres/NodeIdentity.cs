using Npgsql;

namespace Switch.Adapters.Postgres;

/// <summary>
/// This node process's number: a row of its own in nodes, taken when it starts. PostgreSQL's identity column hands out
/// every number once, so two nodes (or two starts of one) never share one, and nobody types it into a setting.
/// </summary>
public sealed class NodeIdentity(NpgsqlDataSource dataSource)
{
    private int _number;

    /// <summary>The number taken at start (<see cref="JoinAsync"/>).</summary>
    public int Number => _number > 0 ? _number : throw new InvalidOperationException("The node takes its number at start (JoinAsync) first.");

    public async Task<int> JoinAsync(CancellationToken cancellationToken)
    {
        if (_number > 0)
        {
            return _number;
        }

        await using var command = dataSource.CreateCommand("insert into nodes (host, process_id) values ($1, $2) returning number");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Environment.MachineName });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Environment.ProcessId });
        _number = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return _number;
    }
}
