using System.Collections.Concurrent;
using Npgsql;

namespace Switch.LoadGen;

/// <summary>
/// Open hosted bills read from PostgreSQL at the start, each handed out once, so the demo pays real bills with the
/// exact amount still due and never pays one twice.
/// </summary>
public sealed class OpenBills(IEnumerable<OpenBills.Bill> bills)
{
    public sealed record Bill(string Biller, string Account, long Outstanding);

    private readonly ConcurrentQueue<Bill> _bills = new(bills);

    public int Left => _bills.Count;

    public Bill? Take() => _bills.TryDequeue(out var bill) ? bill : null;

    /// <summary>Accounts with exactly one open, unexpired bill, so a payment without a bill number pays that one.</summary>
    public static async Task<OpenBills> LoadAsync(string connectionString, int count)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            select biller_code, account_number, min(amount_due - amount_paid) from bills
             where biller_code in ('ELECT', 'WATER', 'TELCO')
             group by biller_code, account_number
            having count(*) filter (where status = 'open' and amount_due > amount_paid and (expiry_date is null or expiry_date >= current_date)) = 1
               and count(*) = 1
             order by random() limit $1
            """);
        command.Parameters.AddWithValue(count);
        var bills = new List<Bill>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            bills.Add(new Bill(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return new OpenBills(bills);
    }
}
