using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Switch.Host.Tests.Rest;

/// <summary>Banks with REST API keys: the demo banks' published keys, or a fresh bank with its own key, cap and rate.</summary>
public static class RestBanks
{
    public const string PlainKey = "demo-key-100001";
    public const string MacBankKey = "demo-key-100002";

    /// <summary>
    /// A new bank with an API key; returns its code and key. Enrolled with every biller only when a test pays through it:
    /// enrolments are read with the biller catalog, and every run adds to the same database.
    /// </summary>
    public static async Task<(string Code, string Key)> Create(
        NpgsqlDataSource postgres, long cap = 100_000_000_000, int rateLimit = 2000, string status = "active", bool enrolled = true)
    {
        var code = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = $"test-key-{code}-{Guid.NewGuid():N}";
        await using var batch = postgres.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            insert into banks (code, name_en, name_ar, net_debit_cap, api_key_hash, api_rate_limit, status) values ($1, 'Test bank', 'بنك', $2, $3, $4, $5)
            """)
        {
            Parameters = { new() { Value = code }, new() { Value = cap }, new() { Value = SHA256.HashData(Encoding.UTF8.GetBytes(key)) }, new() { Value = rateLimit }, new() { Value = status } },
        });
        if (enrolled)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("insert into biller_banks (biller_code, bank_code) select code, $1 from billers")
            {
                Parameters = { new() { Value = code } },
            });
        }

        await batch.ExecuteNonQueryAsync();
        return (code, key);
    }
}
