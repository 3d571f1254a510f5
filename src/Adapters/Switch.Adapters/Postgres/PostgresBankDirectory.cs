using System.Collections.Concurrent;
using Npgsql;
using Switch.Adapters.Secrets;
using Switch.Participants;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Banks from PostgreSQL, kept in memory for a short while so sign-ons, MAC checks and REST calls do not each cost
/// a query; a suspension or key change takes effect within <paramref name="cacheFor"/> (at once for a key change made
/// by this process). MAC keys come decrypted from <paramref name="keys"/>.
/// </summary>
public sealed class PostgresBankDirectory(NpgsqlDataSource dataSource, TimeProvider time, TimeSpan cacheFor, BankKeyStore keys) : IBankDirectory
{
    private const string Columns = "code, name_en, status = 'active', mac_required, mac_key, max_connections, api_rate_limit, certificate_required, "
        + "array(select encode(c.sha256, 'hex') from bank_certificates c where c.bank_code = banks.code)";

    private readonly ConcurrentDictionary<string, (Bank Bank, DateTimeOffset Until, long KeyGeneration)> _cache = new();
    private readonly ConcurrentDictionary<string, (Bank Bank, DateTimeOffset Until, long KeyGeneration)> _byApiKey = new();

    public async ValueTask<Bank?> FindAsync(string participantCode, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var generation = keys.Generation;
        if (_cache.TryGetValue(participantCode, out var cached) && cached.Until > now && cached.KeyGeneration == generation)
        {
            return cached.Bank;
        }

        // Only codes that name a bank are kept: unknown codes are unbounded (anyone can send sign-ons with random
        // field 32), so caching them would let anyone fill memory; connections are closed after a few failed sign-ons.
        var bank = await QueryAsync($"select {Columns} from banks where code = $1", participantCode, cancellationToken);
        if (bank is not null)
        {
            _cache[participantCode] = (bank, now + cacheFor, generation);
        }
        else
        {
            _cache.TryRemove(participantCode, out _);
        }

        return bank;
    }

    public async ValueTask<Bank?> FindByApiKeyHashAsync(byte[] apiKeyHash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hex = Convert.ToHexString(apiKeyHash);
        var generation = keys.Generation;
        if (_byApiKey.TryGetValue(hex, out var cached) && cached.Until > now && cached.KeyGeneration == generation)
        {
            return cached.Bank;
        }

        // Only keys that name a bank are kept: unknown keys are unbounded, so caching them would let anyone fill memory.
        var bank = await QueryAsync($"select {Columns} from banks where api_key_hash = $1", apiKeyHash, cancellationToken);
        if (bank is not null)
        {
            _byApiKey[hex] = (bank, now + cacheFor, generation);
        }

        return bank;
    }

    private async Task<Bank?> QueryAsync<T>(string sql, T parameter, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = parameter });
        Bank? bank;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            bank = await reader.ReadAsync(cancellationToken)
                ? new Bank(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3),
                    reader.IsDBNull(4) ? null : (byte[])reader[4], reader.GetInt32(5))
                {
                    ApiRateLimit = reader.GetInt32(6),
                    CertificateRequired = reader.GetBoolean(7),
                    CertificateFingerprints = Array.ConvertAll(reader.GetFieldValue<string[]>(8), f => f.ToUpperInvariant()),
                }
                : null;
        }

        return bank is null ? null : await WithKeysAsync(bank, cancellationToken);
    }

    /// <summary>The bank with its keys from the key store; a clear key still in banks.mac_key is encrypted there first.</summary>
    private async Task<Bank> WithKeysAsync(Bank bank, CancellationToken cancellationToken)
    {
        if (bank.MacKey is not null)
        {
            await keys.TakeInClearKeysAsync(bank.Code, cancellationToken);
        }

        var (current, next) = await keys.LoadAsync(bank.Code, cancellationToken);
        return bank with { MacKey = current, NextMacKey = next };
    }
}
