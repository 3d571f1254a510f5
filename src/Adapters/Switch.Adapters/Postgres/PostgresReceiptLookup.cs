using Npgsql;
using Switch.Monetary;

namespace Switch.Adapters.Postgres;

/// <summary>What a receipt may tell anyone holding it: never the payer's account or name, nor the billing account.</summary>
public sealed record ReceiptFacts(string Bank, Money Amount, string BillerCode, DateTimeOffset ApprovedAt);

/// <summary>The approval behind a receipt, whichever bank made it: billers and banks verify receipts of any payer.</summary>
public sealed class PostgresReceiptLookup(NpgsqlDataSource dataSource)
{
    public async Task<ReceiptFacts?> FindAsync(string switchReference, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select bank_code, amount, currency, biller_code, created_at from payments where switch_reference = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = switchReference });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ReceiptFacts(reader.GetString(0), new Money(reader.GetInt64(1), Currency.Stored(reader.GetInt16(2))), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4))
            : null;
    }
}
