using System.Collections.Concurrent;
using Npgsql;
using Switch.Participants;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Banks from PostgreSQL, kept in memory for a short while so sign-ons and MAC checks do not each cost a
/// query; a suspension or key change takes effect within <paramref name="cacheFor"/>.
/// </summary>
public sealed class PostgresBankDirectory(NpgsqlDataSource dataSource, TimeProvider time, TimeSpan cacheFor) : IBankDirectory
{
    private readonly ConcurrentDictionary<string, (Bank? Bank, DateTimeOffset Until)> _cache = new();

    public async ValueTask<Bank?> FindAsync(string participantCode, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(participantCode, out var cached) && cached.Until > now)
        {
            return cached.Bank;
        }

        await using var command = dataSource.CreateCommand(
            "select code, name_en, status = 'active', mac_required, mac_key, max_connections from banks where code = $1");
        command.Parameters.AddWithValue(participantCode);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var bank = await reader.ReadAsync(cancellationToken)
            ? new Bank(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3),
                reader.IsDBNull(4) ? null : (byte[])reader[4], reader.GetInt32(5))
            : null;
        _cache[participantCode] = (bank, now + cacheFor);
        return bank;
    }
}
