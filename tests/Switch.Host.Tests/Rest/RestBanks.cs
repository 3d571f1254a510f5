using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>Banks with REST API keys: the demo banks' published keys, or a fresh bank with its own key, cap and rate.</summary>
public static class RestBanks
{
    public const string PlainKey = "demo-key-100001";
    public const string MacBankKey = "demo-key-100002";

    /// <summary>A new active bank enrolled with every biller, with an API key; returns its code and key.</summary>
    public static async Task<(string Code, string Key)> Create(NpgsqlDataSource postgres, long cap = 100_000_000_000, int rateLimit = 2000, string status = "active")
    {
        var code = await TestData.Bank(postgres, cap);
        var key = $"test-key-{code}-{Guid.NewGuid():N}";
        await using var command = postgres.CreateCommand("update banks set api_key_hash = $2, api_rate_limit = $3, status = $4 where code = $1");
        command.Parameters.AddWithValue(code);
        command.Parameters.AddWithValue(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        command.Parameters.AddWithValue(rateLimit);
        command.Parameters.AddWithValue(status);
        await command.ExecuteNonQueryAsync();
        return (code, key);
    }
}
