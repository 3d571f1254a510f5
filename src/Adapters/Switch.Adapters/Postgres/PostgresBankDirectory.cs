using System.Collections.Concurrent;
using Npgsql;
using Switch.Participants;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Banks from PostgreSQL, kept in memory for a short while so sign-ons, MAC checks and REST calls do not each cost
/// a query; a suspension or key change takes effect within <paramref name="cacheFor"/>.
/// </summary>
public sealed class PostgresBankDirectory(NpgsqlDataSource dataSource, TimeProvider time, TimeSpan cacheFor) : IBankDirectory
{
    private const string Columns = "code, name_en, status = 'active', mac_required, mac_key, max_connections, api_rate_limit, certificate_required, "
        + "array(select encode(c.sha256, 'hex') from bank_certificates c where c.bank_code = banks.code)";

    private readonly ConcurrentDictionary<string, (Bank? Bank, DateTimeOffset Until)> _cache = new();
    private readonly ConcurrentDictionary<string, (Bank Bank, DateTimeOffset Until)> _byApiKey = new();

    public async ValueTask<Bank?> FindAsync(string participantCode, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(participantCode, out var cached) && cached.Until > now)
        {
            return cached.Bank;
        }

        var bank = await QueryAsync($"select {Columns} from banks where code = $1", participantCode, cancellationToken);
        _cache[participantCode] = (bank, now + cacheFor);
        return bank;
    }

    public async ValueTask<Bank?> FindByApiKeyHashAsync(byte[] apiKeyHash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hex = Convert.ToHexString(apiKeyHash);
        if (_byApiKey.TryGetValue(hex, out var cached) && cached.Until > now)
        {
            return cached.Bank;
        }

        // Only keys that name a bank are kept: unknown keys are unbounded, so caching them would let anyone fill memory.
        var bank = await QueryAsync($"select {Columns} from banks where api_key_hash = $1", apiKeyHash, cancellationToken);
        if (bank is not null)
        {
            _byApiKey[hex] = (bank, now + cacheFor);
        }

        return bank;
    }

    private async Task<Bank?> QueryAsync<T>(string sql, T parameter, CancellationToken cancellationToken)
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
}
