using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Switch.Adapters.Postgres;
using Switch.Adapters.Secrets;

namespace Switch.Host.Cli;

/// <summary>
/// <c>switch banks ...</c>: operator changes to member banks, each audited as the operating-system account that ran it. <c>rotate-mac-key</c> gives a bank a new MAC key without a
/// cut-over moment; <c>set-cap</c> changes its net debit cap and returns once the running switch enforces it.
/// </summary>
public static partial class BanksCommand
{
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(24);

    public static Command Create()
    {
        var command = new Command("banks", "Manage member banks.");
        command.Subcommands.Add(CreateRotateMacKey());
        command.Subcommands.Add(CreateSetCap());
        return command;
    }

    private static Command CreateRotateMacKey()
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
                return await RotateAsync(app.Services.GetRequiredService<BankKeyStore>(), result.GetValue(bank)!, duration, AuditActor.CommandLine(), Console.Out, cancellationToken);
            }
            catch (SecretsException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });

        return rotate;
    }

    private static Command CreateSetCap()
    {
        var bank = new Argument<string>("bank") { Description = "The bank's code (field 32), 1 to 11 digits." };
        var amount = new Argument<string>("amount") { Description = "The new net debit cap in minor units (e.g. 50000000 for SAR 500,000.00)." };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for the running switch to apply it.", DefaultValueFactory = _ => 30 };
        var setCap = new Command("set-cap", "Set a bank's net debit cap; returns once the bank's position actor in the running switch enforces it.") { bank, amount, wait };
        setCap.SetAction(async (result, cancellationToken) =>
        {
            var code = result.GetValue(bank)!;
            if (!ParticipantCode().IsMatch(code) || !long.TryParse(result.GetValue(amount), NumberStyles.None, CultureInfo.InvariantCulture, out var cap)
                || result.GetValue(wait) is < 1 or > 600)
            {
                await Console.Error.WriteLineAsync("The bank is 1 to 11 digits, the amount a whole number of minor units, --wait 1 to 600 seconds.");
                return 2;
            }

            await using var app = SwitchHost.Build([]);
            var outcome = await CapChange.SetAsync(app.Services.GetRequiredService<PostgresPositionSource>(), code, cap, AuditActor.CommandLine(),
                TimeSpan.FromSeconds(result.GetValue(wait)), TimeProvider.System, cancellationToken);
            Console.WriteLine(outcome switch
            {
                CapChangeOutcome.Applied => $"Bank {code}: net debit cap {cap} applied by its position actor.",
                CapChangeOutcome.NoSuchBank => $"There is no bank {code}; nothing changed.",
                CapChangeOutcome.Superseded => $"Bank {code}: the cap was changed again meanwhile; run the command again to set {cap}.",
                _ => $"Bank {code}: net debit cap {cap} written, but no running switch applied it within {result.GetValue(wait)} s; it is applied when one runs.",
            });
            return outcome == CapChangeOutcome.Applied ? 0 : 1;
        });
        return setCap;
    }

    /// <summary>The verb's work, also run by tests: rotates and prints the new key; 0, or 1 when there is no such bank.</summary>
    public static async Task<int> RotateAsync(BankKeyStore keys, string bank, TimeSpan overlap, AuditActor who, TextWriter output, CancellationToken cancellationToken)
    {
        if (!ParticipantCode().IsMatch(bank))
        {
            await output.WriteLineAsync($"error: {bank} is not a participant code (1 to 11 digits)");
            return 1;
        }

        // A clear key still waiting in banks.mac_key would replace the rotated one when taken in: take it in first.
        await keys.TakeInClearKeysAsync(bank, cancellationToken);
        if (await keys.RotateAsync(bank, overlap, who, cancellationToken) is not { } rotated)
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

public enum CapChangeOutcome { Applied, NoSuchBank, NotApplied, Superseded }

/// <summary>
/// A cap change from outside the switch's process. It goes through PostgreSQL, which every node already shares: the
/// cap is written there, every node's cap refresh notices that it differs from the cap the bank's position actor
/// last acknowledged, the actor (one in the cluster) reads and applies it and only then acknowledges it there.
/// So the command needs no listener, credential or cluster membership of its own, and waits at most one refresh.
/// </summary>
public static class CapChange
{
    public static async Task<CapChangeOutcome> SetAsync(
        PostgresPositionSource positions, string bank, long cap, AuditActor who, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await positions.SetCapAsync(bank, cap, who, cancellationToken))
        {
            return CapChangeOutcome.NoSuchBank;
        }

        var until = time.GetUtcNow() + wait;
        while (true)
        {
            switch (await positions.FindCapAsync(bank, cancellationToken))
            {
                case null:
                    return CapChangeOutcome.NoSuchBank;
                case { Cap: var now } when now != cap:
                    return CapChangeOutcome.Superseded;
                case { Applied: var applied } when applied == cap:
                    return CapChangeOutcome.Applied;
            }

            if (time.GetUtcNow() >= until)
            {
                return CapChangeOutcome.NotApplied;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }
}
