using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Switch.Adapters.Postgres;

namespace Switch.Host.Cli;

/// <summary><c>switch banks set-cap</c>: operator changes to member banks.</summary>
public static partial class BanksCommand
{
    public static Command Create()
    {
        var command = new Command("banks", "Change member banks' settings.");
        command.Subcommands.Add(CreateSetCap());
        return command;
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
            if (!BankCode().IsMatch(code) || !long.TryParse(result.GetValue(amount), NumberStyles.None, CultureInfo.InvariantCulture, out var cap)
                || result.GetValue(wait) is < 1 or > 600)
            {
                await Console.Error.WriteLineAsync("The bank is 1 to 11 digits, the amount a whole number of minor units, --wait 1 to 600 seconds.");
                return 2;
            }

            await using var app = SwitchHost.Build([]);
            var outcome = await CapChange.SetAsync(app.Services.GetRequiredService<PostgresPositionSource>(), code, cap,
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

    [GeneratedRegex("^[0-9]{1,11}$")]
    private static partial Regex BankCode();
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
    public static async Task<CapChangeOutcome> SetAsync(PostgresPositionSource positions, string bank, long cap, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await positions.SetCapAsync(bank, cap, cancellationToken))
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
