using System.CommandLine;

namespace Switch.Host.Cli;

/// <summary><c>switch serve</c>: run the switch until stopped (Ctrl-C or SIGTERM).</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var serve = new Command("serve", "Run the switch: the ISO 8583 listener and the HTTP endpoints.");
        serve.SetAction(async (result, cancellationToken) =>
        {
            await using var app = SwitchHost.Build(result.UnmatchedTokens.ToArray());
            try
            {
                await SwitchHost.StartAsync(app, cancellationToken);
            }
            catch (Adapters.Secrets.SecretsException e)
            {
                await Console.Error.WriteLineAsync($"error: the switch does not start: {e.Message}");
                return 1;
            }

            var options = app.Services.GetRequiredService<SwitchOptions>();
            app.Logger.LogInformation("Switch up: ISO 8583 on {IsoAddress}:{IsoPort}, HTTP on {Http} (GET /health)",
                options.Iso.Address, options.Iso.Port, options.HttpUrl);
            await app.WaitForShutdownAsync(cancellationToken);
            // Non-zero when the node was downed or its actor system failed: its supervisor starts it again.
            return app.Services.GetRequiredService<Actors.SwitchActors>().ExitCode;
        });
        serve.TreatUnmatchedTokensAsErrors = false;
        return serve;
    }
}
