using Npgsql;

namespace Switch.LoadGen;

/// <summary>
/// Compares what the load generator was told with what the journal holds: every approval it received must be
/// there exactly once with the same amount, and nothing may be approved under this run's keys that it did not see.
/// </summary>
public static class JournalCheck
{
    public static async Task<IReadOnlyList<string>> RunAsync(string connectionString, string bank, string runPrefix, IReadOnlyDictionary<string, long> approvals)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "select reference, amount from payments where bank_code = $1 and reference like $2 and response_code = '00'");
        command.Parameters.AddWithValue(bank);
        command.Parameters.AddWithValue($"L{runPrefix}%");
        var journal = new Dictionary<string, long>();
        var problems = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (!journal.TryAdd(reader.GetString(0), reader.GetInt64(1)))
                {
                    problems.Add($"{reader.GetString(0)} is in the journal twice");
                }
            }
        }

        foreach (var (reference, amount) in approvals)
        {
            if (!journal.TryGetValue(reference, out var stored))
            {
                problems.Add($"{reference} was approved but is not in the journal");
            }
            else if (stored != amount)
            {
                problems.Add($"{reference} was approved for {amount} but the journal has {stored}");
            }
        }

        problems.AddRange(journal.Keys.Where(r => !approvals.ContainsKey(r)).Select(r => $"{r} is approved in the journal but no approval was received"));
        return problems;
    }
}
