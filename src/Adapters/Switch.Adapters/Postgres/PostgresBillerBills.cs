using Npgsql;
using Switch.Billing;
using Switch.Monetary;

namespace Switch.Adapters.Postgres;

/// <summary>
/// A biller's own bills as the biller sees them through its credential. Every query is bound to the biller's code, so
/// a biller's key can never name another biller's bill: it is simply not found.
/// </summary>
public sealed class PostgresBillerBills(NpgsqlDataSource dataSource)
{
    public async Task<Bill?> FindAsync(string billerCode, string billNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select b.id, b.account_number, b.bill_number, b.customer_name, b.amount_due, b.amount_paid, b.due_date, b.expiry_date, b.status, r.currency
              from bills b join billers r on r.code = b.biller_code
             where b.biller_code = $1 and b.bill_number = $2
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = billerCode });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = billNumber });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var currency = Currency.Stored(reader.GetInt16(9));
        return new Bill(reader.GetInt64(0), billerCode, reader.GetString(1), reader.GetString(2), reader.GetString(3),
            new Money(reader.GetInt64(4), currency), new Money(reader.GetInt64(5), currency), reader.GetFieldValue<DateOnly>(6),
            reader.IsDBNull(7) ? null : reader.GetFieldValue<DateOnly>(7), Enum.Parse<BillStatus>(reader.GetString(8), ignoreCase: true));
    }
}
