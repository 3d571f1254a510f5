using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Switch.Host.Tests.Rest;

/// <summary>Banks with REST API keys: the demo banks' published keys, or a fresh bank with its own key, cap and rate.</summary>
public static class RestBanks
{
    public const string PlainKey = "demo-key-100001";
    public const string MacBankKey = "demo-key-100002";

    /// <summary>The demo operator's published key (migration 0009).</summary>
    public const string OperatorKey = "demo-operator-key";

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>A new active key of <paramref name="role"/> (api_keys.role) for no participant: an operator's or the central bank's.</summary>
    public static async Task<string> CreateKey(NpgsqlDataSource postgres, string role, bool active = true)
    {
        var key = $"test-{role}-{Guid.NewGuid():N}";
        await using var command = postgres.CreateCommand(
            "insert into api_keys (key_hash, role, holder, active, revoked_at) values ($1, $2, 'Test holder', $3, case when $3 then null else now() end)");
        command.Parameters.AddWithValue(Hash(key));
        command.Parameters.AddWithValue(role);
        command.Parameters.AddWithValue(active);
        await command.ExecuteNonQueryAsync();
        return key;
    }

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
            insert into banks (code, name_en, name_ar, net_debit_cap, api_rate_limit, status) values ($1, 'Test bank', 'بنك', $2, $3, $4)
            """)
        {
            Parameters = { new() { Value = code }, new() { Value = cap }, new() { Value = rateLimit }, new() { Value = status } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("insert into api_keys (key_hash, role, bank_code, holder) values ($1, 'bank', $2, 'Test bank')")
        {
            Parameters = { new() { Value = Hash(key) }, new() { Value = code } },
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
