using Npgsql;
using Switch.Billers.Reconciliation;
using Switch.Monetary;

namespace Switch.Adapters.Postgres;

/// <summary>
/// A biller's committed movements of one UTC day from the journal: its approved payments (reversed once an applied
/// reversal names them) and the applied reversals of its payments, each in the day it was committed, in commit order.
/// Read at low cost to payments: one scan of the day's rows, nothing locked.
/// </summary>
public sealed class PostgresReconciliation(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<ReconciliationEntry>> DayAsync(string billerCode, DateOnly day, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select p.switch_reference, 'payment',
                   case when exists (select from reversals r where r.bank_code = p.bank_code and r.reference = p.reference
                                                               and r.local_date = p.local_date and r.outcome = 'applied')
                        then 'reversed' else 'approved' end,
                   null::text, p.bank_code, p.account_number, b.bill_number, p.amount, p.currency, p.created_at
              from payments p left join bills b on b.id = p.bill_id
             where p.biller_code = $1 and p.response_code = '00' and p.created_at >= $2 and p.created_at < $3
            union all
            select r.switch_reference, 'reversal', 'applied', p.switch_reference, r.bank_code, p.account_number, b.bill_number,
                   r.amount, p.currency, r.created_at
              from reversals r join payments p using (bank_code, reference, local_date) left join bills b on b.id = p.bill_id
             where p.biller_code = $1 and r.outcome = 'applied' and r.created_at >= $2 and r.created_at < $3
             order by 10, 1
            """);
        var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        command.Parameters.AddWithValue(billerCode);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(from.AddDays(1));
        var entries = new List<ReconciliationEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new ReconciliationEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                new Money(reader.GetInt64(7), Currency.Stored(reader.GetInt16(8))), reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return entries;
    }
}
