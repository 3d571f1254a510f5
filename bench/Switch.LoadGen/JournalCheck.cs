using Npgsql;

namespace Switch.LoadGen;

/// <summary>
/// Compares what the load generator was told with what the journal holds: every approval it received must be
/// there exactly once with the same amount, reversed exactly when a reversal of it was answered 00, and nothing
/// may be approved under this run's keys that it did not hear about.
/// </summary>
public static class JournalCheck
{
    public sealed record Row(long Amount, bool Reversed);

    public static async Task<IReadOnlyList<string>> RunAsync(string connectionString, IReadOnlyCollection<string> banks, string runPrefix, Ledger ledger)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            select p.bank_code, p.reference, p.local_date, p.amount,
                   exists (select from reversals r where r.bank_code = p.bank_code and r.reference = p.reference
                                                     and r.local_date = p.local_date and r.outcome = 'applied')
              from payments p
             where p.bank_code = any($1) and p.reference like $2 and p.response_code = '00'
            """);
        command.Parameters.AddWithValue(banks.ToArray());
        command.Parameters.AddWithValue($"L{runPrefix}%");
        var journal = new Dictionary<JournalKey, Row>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            journal[new JournalKey(reader.GetString(0), reader.GetString(1), reader.GetString(2))] = new Row(reader.GetInt64(3), reader.GetBoolean(4));
        }

        return Compare(journal, ledger);
    }

    /// <summary>The differences, in words; none when the journal agrees with the ledger.</summary>
    public static IReadOnlyList<string> Compare(IReadOnlyDictionary<JournalKey, Row> journal, Ledger ledger)
    {
        var problems = new List<string>();
        foreach (var (key, approval) in ledger.Approvals)
        {
            if (!journal.TryGetValue(key, out var row))
            {
                problems.Add($"{Name(key)} was approved but is not in the journal");
            }
            else if (row.Amount != approval.Amount)
            {
                problems.Add($"{Name(key)} was approved for {approval.Amount} but the journal has {row.Amount}");
            }
            else if (row.Reversed != approval.Reversed && !approval.ReversalUnknown)
            {
                problems.Add(approval.Reversed ? $"{Name(key)} was reversed (00) but the journal does not say so" : $"{Name(key)} is reversed in the journal but no reversal was approved");
            }
        }

        problems.AddRange(journal.Keys.Where(k => !ledger.Approvals.ContainsKey(k) && !ledger.Unanswered.ContainsKey(k))
            .Select(k => $"{Name(k)} is approved in the journal but no approval was received"));
        return problems;
    }

    private static string Name(JournalKey key) => $"{key.Bank}/{key.Reference}{(key.LocalDate.Length > 0 ? "/" + key.LocalDate : "")}";
}
