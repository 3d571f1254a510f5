using System.CommandLine;
using Spectre.Console;
using Switch.Participants;

namespace Switch.Host.Cli;

/// <summary>
/// <c>switch demo</c>: the main job. Starts the switch against the private PostgreSQL and Redis that ./switch
/// set up, drives a scripted ISO 8583 session as the two demo banks, and prints what happened.
/// </summary>
public static class DemoCommand
{
    private const string PlainBank = "100001";
    private const string MacBank = "100002";

    public static Command Create()
    {
        var demo = new Command("demo", "Start the switch and drive it as simulated banks, printing what happened.");
        demo.SetAction(async (result, cancellationToken) =>
        {
            await using var app = SwitchHost.Build([], config => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                // The table is the demo's output; the switch's own log would bury it.
                ["Logging:LogLevel:Default"] = "Error",
                ["Logging:LogLevel:Switch.Host.Iso"] = "Error",
            }));
            await SwitchHost.StartAsync(app, cancellationToken);
            var options = app.Services.GetRequiredService<SwitchOptions>();
            AnsiConsole.MarkupLine($"[bold]Switch up[/]: ISO 8583 on {options.Iso.Address}:{options.Iso.Port}, HTTP on {options.HttpUrl}");
            var macBank = await app.Services.GetRequiredService<IBankDirectory>().FindAsync(MacBank, cancellationToken)
                ?? throw new InvalidOperationException($"Demo bank {MacBank} is missing from the database.");
            var session = new DemoSession(options.Iso.Address, options.Iso.Port, PlainBank, MacBank, macBank.MacKey!);
            var surprises = await session.RunAsync(cancellationToken);
            await app.StopAsync(cancellationToken);
            return surprises == 0 ? 0 : 1;
        });
        return demo;
    }
}
