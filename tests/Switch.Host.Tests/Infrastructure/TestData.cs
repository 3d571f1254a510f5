using Npgsql;

namespace Switch.Host.Tests.Infrastructure;

/// <summary>Fresh rows per test, so tests never depend on each other or on earlier runs against the same database.</summary>
public static class TestData
{
    /// <summary>An open ELECT bill on a new account; returns the account and the amount due.</summary>
    public static async Task<(string Account, long Amount)> OpenBill(NpgsqlDataSource postgres, string biller = "ELECT", long amount = 24_757, DateOnly? expiry = null)
    {
        var account = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (biller == "TELCO")
        {
            account = "05" + account[2..];
        }

        await using var command = postgres.CreateCommand("""
            insert into bills (biller_code, account_number, bill_number, customer_name, amount_due, due_date, expiry_date)
            values ($1, $2, $1 || '-T' || $2, 'Mohammad Ali', $3, current_date, $4)
            """);
        command.Parameters.AddWithValue(biller);
        command.Parameters.AddWithValue(account);
        command.Parameters.AddWithValue(amount);
        command.Parameters.AddWithValue(expiry ?? DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(1));
        await command.ExecuteNonQueryAsync();
        return (account, amount);
    }

    /// <summary>A new active bank without MAC, enrolled with every biller; returns its participant code.</summary>
    public static async Task<string> Bank(NpgsqlDataSource postgres, long cap)
    {
        var code = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var batch = postgres.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("insert into banks (code, name_en, name_ar, net_debit_cap) values ($1, 'Test bank', 'بنك', $2)")
        {
            Parameters = { new() { Value = code }, new() { Value = cap } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("insert into biller_banks (biller_code, bank_code) select code, $1 from billers")
        {
            Parameters = { new() { Value = code } },
        });
        await batch.ExecuteNonQueryAsync();
        return code;
    }

    public static async Task<T> Scalar<T>(this NpgsqlDataSource postgres, string sql, params object[] parameters)
    {
        await using var command = postgres.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
