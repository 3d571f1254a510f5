using System.CommandLine;
using System.Globalization;
using Switch.Billers.Notifications;
using Switch.Billers.Simulator;

namespace Switch.Host.Cli;

/// <summary>
/// <c>switch simulate-billers --biller CODE=KEY ...</c>: REST billers played by <see cref="BillerSimulator"/> until
/// stopped (Ctrl+C), for demos and load runs. What each received is at GET /simulator/{code}.
/// </summary>
public static class SimulateBillersCommand
{
    public static Command Create()
    {
        var billers = new Option<string[]>("--biller")
        {
            Description = "A biller to play: CODE=KEY, KEY its signing key in base64 (as `switch notifications adapter` set it). Repeatable.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var url = new Option<string>("--url") { Description = "Where to listen.", DefaultValueFactory = _ => "http://127.0.0.1:9090" };
        var latency = new Option<int>("--latency-ms") { Description = "Added to every answer (0 to 60000).", DefaultValueFactory = _ => 0 };
        var errors = new Option<double>("--error-rate") { Description = "The share of requests answered 503 (0 to 1).", DefaultValueFactory = _ => 0 };
        var outages = new Option<string[]>("--outage") { Description = "FROM-TO in seconds from start (e.g. 30-90) in which every request gets 503. Repeatable." };
        var command = new Command("simulate-billers", "Play REST billers that receive notifications: verify, dedupe, count duplicates.")
        {
            billers, url, latency, errors, outages,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var windows = new List<(TimeSpan, TimeSpan)>();
            foreach (var window in result.GetValue(outages) ?? [])
            {
                var parts = window.Split('-');
                if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                    || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to) || to <= from)
                {
                    await Console.Error.WriteLineAsync($"error: --outage {window} is not FROM-TO in whole seconds with FROM < TO");
                    return 2;
                }

                windows.Add((TimeSpan.FromSeconds(from), TimeSpan.FromSeconds(to)));
            }

            var errorRate = result.GetValue(errors);
            var delay = result.GetValue(latency);
            if (errorRate is < 0 or > 1 || delay is < 0 or > 60_000)
            {
                await Console.Error.WriteLineAsync("error: --error-rate is 0 to 1, --latency-ms 0 to 60000");
                return 2;
            }

            var simulated = new List<SimulatedBiller>();
            foreach (var biller in result.GetValue(billers)!)
            {
                var (code, key) = Parse(biller);
                if (code is null)
                {
                    await Console.Error.WriteLineAsync($"error: --biller {biller.Split('=')[0]}=... is not CODE=KEY (A-Z 0-9, and {BillerSignature.KeyLength} bytes in base64)");
                    return 2;
                }

                simulated.Add(new SimulatedBiller(code, key!, TimeSpan.FromMilliseconds(delay), errorRate, windows));
            }

            BillerSimulator simulator;
            try
            {
                simulator = await BillerSimulator.StartAsync(simulated, result.GetValue(url)!, TimeProvider.System, cancellationToken);
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot listen on {result.GetValue(url)}: {e.InnerException?.Message ?? e.Message}");
                return 1;
            }

            await using var running = simulator;
            Console.WriteLine($"simulating {string.Join(", ", simulated.Select(b => b.Code))} at {simulator.Address}; Ctrl+C to stop");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            foreach (var biller in simulated)
            {
                var s = simulator.StatsOf(biller.Code);
                Console.WriteLine($"{biller.Code}: received {s.Received}, applied {s.Applied}, duplicates {s.Duplicates}, gaps {s.Gaps}, out of order {s.OutOfOrder}, bad signatures {s.BadSignatures}");
            }

            return 0;
        });
        return command;
    }

    private static (string? Code, byte[]? Key) Parse(string text)
    {
        var at = text.IndexOf('=', StringComparison.Ordinal);
        if (at is < 2 or > 12 || !text[..at].All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9'))
        {
            return (null, null);
        }

        try
        {
            var key = Convert.FromBase64String(text[(at + 1)..]);
            return key.Length == BillerSignature.KeyLength ? (text[..at], key) : (null, null);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }
}
