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
    private readonly ConcurrentDictionary<string, (ApiCredential Credential, DateTimeOffset Until, long KeyGeneration)> _byApiKey = new();

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

    public async ValueTask<ApiCredential?> FindByApiKeyHashAsync(byte[] apiKeyHash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hex = Convert.ToHexString(apiKeyHash);
        var generation = keys.Generation;
        if (_byApiKey.TryGetValue(hex, out var cached) && cached.Until > now && cached.KeyGeneration == generation)
        {
            return cached.Credential;
        }

        // Only keys that name a principal are kept: unknown keys are unbounded, so caching them would let anyone fill memory.
        var credential = await QueryCredentialAsync(apiKeyHash, cancellationToken);
        if (credential is not null)
        {
            _byApiKey[hex] = (credential, now + cacheFor, generation);
        }

        return credential;
    }

    private async Task<ApiCredential?> QueryCredentialAsync(byte[] apiKeyHash, CancellationToken cancellationToken)
    {
        if (await ReadCredentialAsync(apiKeyHash, cancellationToken) is not var (id, role, holder, participant))
        {
            return null;
        }

        // The bank as the directory reads it for every other purpose (and caches it the same while). Read only once the
        // credential's command and reader are disposed: a query nested inside them, on a pooled connection they still
        // claim, handed that connection to two requests at once.
        var bank = role == PrincipalRole.Bank ? await FindAsync(participant!, cancellationToken) : null;
        return new ApiCredential(id, role, holder, participant, bank);
    }

    private async Task<(long Id, PrincipalRole Role, string Holder, string? Participant)?> ReadCredentialAsync(byte[] apiKeyHash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, role, holder, coalesce(bank_code, biller_code) from api_keys where key_hash = $1 and active
            """);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = apiKeyHash });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var role = reader.GetString(1) switch
        {
            "bank" => PrincipalRole.Bank,
            "biller" => PrincipalRole.Biller,
            "operator" => PrincipalRole.Operator,
            "central_bank" => PrincipalRole.CentralBank,
            var other => throw new InvalidOperationException($"api_keys.role '{other}' is not one the switch knows."),
        };
        return (reader.GetInt64(0), role, reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    private async Task<Bank?> QueryAsync<T>(string sql, T parameter, CancellationToken cancellationToken) =>
        await ReadBankAsync(sql, parameter, cancellationToken) is { } bank ? await WithKeysAsync(bank, cancellationToken) : null;

    /// <summary>The bank's row; its keys are read after this command and its reader are disposed, never nested in them.</summary>
    private async Task<Bank?> ReadBankAsync<T>(string sql, T parameter, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = parameter });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Bank(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3),
                reader.IsDBNull(4) ? null : (byte[])reader[4], reader.GetInt32(5))
            {
                ApiRateLimit = reader.GetInt32(6),
                CertificateRequired = reader.GetBoolean(7),
                CertificateFingerprints = Array.ConvertAll(reader.GetFieldValue<string[]>(8), f => f.ToUpperInvariant()),
            }
            : null;
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
