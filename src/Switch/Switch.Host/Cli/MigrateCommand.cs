using System.CommandLine;
using Switch.Adapters.Postgres;

namespace Switch.Host.Cli;

/// <summary><c>switch migrate</c>: bring the database schema up to date and exit.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply the database migrations that are missing.");
        migrate.SetAction(async (result, cancellationToken) =>
        {
            await using var app = SwitchHost.Build([]);
            var applied = await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            Console.WriteLine(applied.Count == 0 ? "The schema is up to date." : $"Applied: {string.Join(", ", applied)}");
            return 0;
        });
        return migrate;
    }
}
