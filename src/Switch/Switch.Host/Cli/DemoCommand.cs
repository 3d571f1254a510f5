using System.CommandLine;
using Npgsql;
using Spectre.Console;
using Switch.Adapters.Postgres;
using Switch.Adapters.Secrets;

namespace Switch.Host.Cli;

/// <summary>
/// <c>switch demo</c>: a scripted ISO 8583 session, as the two demo banks, against a running switch (./switch demo
/// starts one, runs this, then a minute of simulated banks). Prints one row per exchange; exits 1 if any answer
/// was not the one the spec gives.
/// </summary>
public static class DemoCommand
{
    private const string PlainBank = "100001";
    private const string MacBank = "100002";

    public static Command Create()
    {
        var demo = new Command("demo", "Drive a running switch through a scripted ISO 8583 session as the demo banks.");
        demo.SetAction(async (result, cancellationToken) =>
        {
            var options = SwitchHost.ReadOptions();
            await using var postgres = NpgsqlDataSource.Create(options.Postgres.ConnectionString);
            var keys = new BankKeyStore(postgres, KeyEncryptionKey.Load(options.Secrets.KeyFile, options.Secrets.Key), TimeProvider.System);
            var macBank = await new PostgresBankDirectory(postgres, TimeProvider.System, TimeSpan.Zero, keys).FindAsync(MacBank, cancellationToken)
                ?? throw new InvalidOperationException($"Demo bank {MacBank} is missing from the database.");
            AnsiConsole.MarkupLine($"[bold]A scripted session[/] against the switch at {options.Iso.Address}:{options.Iso.Port}");
            var session = new DemoSession(options.Iso.Address, options.Iso.Port, PlainBank, MacBank, macBank.MacKey!);
            return await session.RunAsync(cancellationToken) == 0 ? 0 : 1;
        });
        return demo;
    }
}
