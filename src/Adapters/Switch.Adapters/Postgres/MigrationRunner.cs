using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Applies the embedded SQL migrations (Migrations/NNNN_name.sql) in order, each in its own transaction, and
/// records them in schema_migrations. An advisory lock makes two nodes starting together take turns.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    private const string Prefix = "Switch.Adapters.Postgres.Migrations.";
    private const long LockKey = 0x5357_4954_4348; // "SWITCH"

    public static IReadOnlyList<(string Version, string Resource)> Migrations { get; } =
        Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (Version: name[Prefix.Length..^4], Resource: name))
            .OrderBy(m => m.Version, StringComparer.Ordinal)
            .ToList();

    /// <summary>Applies what is missing; returns the versions applied by this call.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Execute(connection, $"select pg_advisory_lock({LockKey})", cancellationToken);
        try
        {
            await Execute(connection, "create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())", cancellationToken);
            var applied = new List<string>();
            foreach (var (version, resource) in Migrations)
            {
                if (await IsApplied(connection, version, cancellationToken))
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, ReadResource(resource), cancellationToken);
                await using (var record = new NpgsqlCommand("insert into schema_migrations (version) values ($1)", connection))
                {
                    record.Parameters.AddWithValue(version);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Version}", version);
                applied.Add(version);
            }

            return applied;
        }
        finally
        {
            await Execute(connection, $"select pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static async Task<bool> IsApplied(NpgsqlConnection connection, string version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select exists (select 1 from schema_migrations where version = $1)", connection);
        command.Parameters.AddWithValue(version);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string ReadResource(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
