using Npgsql;
using Switch.Billing;

namespace Switch.Adapters.Postgres;

/// <summary>Hosted bills from PostgreSQL, looked up by biller and account (index bills_by_account).</summary>
public sealed class PostgresBillStore(NpgsqlDataSource dataSource) : IBillStore
{
    public async Task<IReadOnlyList<Bill>> FindAsync(string billerCode, string accountNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, bill_number, customer_name, amount_due, amount_paid, due_date, expiry_date, status
              from bills where biller_code = $1 and account_number = $2 order by due_date, id
            """);
        command.Parameters.AddWithValue(billerCode);
        command.Parameters.AddWithValue(accountNumber);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var bills = new List<Bill>();
        while (await reader.ReadAsync(cancellationToken))
        {
            bills.Add(new Bill(reader.GetInt64(0), billerCode, accountNumber, reader.GetString(1), reader.GetString(2),
                reader.GetInt64(3), reader.GetInt64(4), reader.GetFieldValue<DateOnly>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateOnly>(6),
                Enum.Parse<BillStatus>(reader.GetString(7), ignoreCase: true)));
        }

        return bills;
    }
}
