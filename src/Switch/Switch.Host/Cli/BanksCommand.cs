using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Switch.Adapters.Postgres;
using Switch.Adapters.Secrets;

namespace Switch.Host.Cli;

/// <summary><c>switch banks rotate-mac-key &lt;bank&gt; [--overlap 24h]</c>: give a bank a new MAC key without a cut-over moment.</summary>
public static partial class BanksCommand
{
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(24);

    public static Command Create()
    {
        var bank = new Argument<string>("bank") { Description = "The bank's participant code (field 32)." };
        var overlap = new Option<string>("--overlap")
        {
            Description = "How long the old key stays accepted next to the new one if the bank does not sign on under the new one first: 90m, 24h, 7d or 1.12:00:00 (default 24h).",
        };
        var rotate = new Command("rotate-mac-key",
            "Make a new random MAC key for a bank, stored encrypted as its next key, and print it with its key check value. "
            + "Both keys are accepted until the bank signs on under the new one (it becomes current, the old one is retired) or the overlap ends.")
        {
            bank, overlap,
        };
        rotate.SetAction(async (result, cancellationToken) =>
        {
            if (!TryParseDuration(result.GetValue(overlap), out var duration))
            {
                await Console.Error.WriteLineAsync("error: --overlap is a positive duration such as 90m, 24h, 7d or 1.12:00:00");
                return 2;
            }

            try
            {
                await using var app = SwitchHost.Build([]);
                await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
                return await RotateAsync(app.Services.GetRequiredService<BankKeyStore>(), result.GetValue(bank)!, duration, Console.Out, cancellationToken);
            }
            catch (SecretsException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });

        var command = new Command("banks", "Manage member banks.");
        command.Subcommands.Add(rotate);
        return command;
    }

    /// <summary>The verb's work, also run by tests: rotates and prints the new key; 0, or 1 when there is no such bank.</summary>
    public static async Task<int> RotateAsync(BankKeyStore keys, string bank, TimeSpan overlap, TextWriter output, CancellationToken cancellationToken)
    {
        if (!ParticipantCode().IsMatch(bank))
        {
            await output.WriteLineAsync($"error: {bank} is not a participant code (1 to 11 digits)");
            return 1;
        }

        // A clear key still waiting in banks.mac_key would replace the rotated one when taken in: take it in first.
        await keys.TakeInClearKeysAsync(bank, cancellationToken);
        if (await keys.RotateAsync(bank, overlap, cancellationToken) is not { } rotated)
        {
            await output.WriteLineAsync($"error: there is no bank {bank}");
            return 1;
        }

        await output.WriteLineAsync($"bank {rotated.Bank}: new MAC key, version {rotated.Version}, stored encrypted as the bank's next key");
        await output.WriteLineAsync($"key  {Convert.ToHexString(rotated.Key)}");
        await output.WriteLineAsync($"KCV  {rotated.CheckValue}  (first 3 bytes of HMAC-SHA256(key, 16 zero bytes); the bank computes it and compares)");
        await output.WriteLineAsync(
            $"Both keys are accepted until the bank signs on under the new one, and at most until {rotated.OverlapEnds.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC; "
            + "then the new key is current and the old one retired. Answers are signed with the key the request verified under.");
        return 0;
    }

    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = DefaultOverlap;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var match = ShortDuration().Match(text);
        if (match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 3650)
        {
            duration = match.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(count),
                "m" => TimeSpan.FromMinutes(count),
                "h" => TimeSpan.FromHours(count),
                _ => TimeSpan.FromDays(count),
            };
        }
        else if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration))
        {
            return false;
        }

        return duration > TimeSpan.Zero;
    }

    [GeneratedRegex("^([0-9]{1,4})([smhd])$")]
    private static partial Regex ShortDuration();

    [GeneratedRegex("^[0-9]{1,11}$")]
    private static partial Regex ParticipantCode();
}
