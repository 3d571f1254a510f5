using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Transactions;

namespace Switch.Adapters.Tests.Postgres;

/// <summary>The PostgreSQL that <c>./switch test</c> started, migrated. Tests use fresh keys, so runs can share it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(
        Environment.GetEnvironmentVariable("Switch__Postgres__ConnectionString")
        ?? throw new InvalidOperationException("Switch__Postgres__ConnectionString is not set: run the tests with ./switch test."));

    /// <summary>The references of a node of the tests' own, with a number taken like every node's.</summary>
    public SwitchReferences References { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await new MigrationRunner(DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        References = new SwitchReferences(await new NodeIdentity(DataSource).JoinAsync(default), TimeProvider.System);
    }

    public async Task DisposeAsync() => await DataSource.DisposeAsync();

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
