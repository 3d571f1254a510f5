using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Switch.Adapters.Postgres;
using Switch.Billers.Notifications;
using Switch.Host.Rest;

namespace Switch.Host.Cli;

/// <summary>
/// <c>switch notifications status|parked|retry|replay|adapter</c>: the biller notifications (docs/biller-api.md) as
/// an operator sees them, the operator queue, and a biller's adapter settings. Changes are audited as the account
/// running the command.
/// </summary>
public static class NotificationsCommand
{
    public static Command Create()
    {
        var command = new Command("notifications", "Biller notifications: counts, the operator queue (parked), retries, replays, adapters.");
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Parked());
        command.Subcommands.Add(Retry());
        command.Subcommands.Add(Replay());
        command.Subcommands.Add(Adapter());
        return command;
    }

    private static Option<string> Biller(bool required) => new("--biller") { Description = "The biller's code (A-Z 0-9, 2 to 12).", Required = required };

    private static Command Status()
    {
        var biller = Biller(false);
        var status = new Command("status", "Pending, delivered and parked notifications per biller, and the last sequence number given.") { biller };
        status.SetAction(async (result, ct) => await WithStoreAsync(result.GetValue(biller), async store =>
        {
            Console.Write("biller\tpending\tdelivered\tparked\trejected\tlast_sequence\n");
            foreach (var c in await store.CountsAsync(result.GetValue(biller), ct))
            {
                Console.Write(string.Create(CultureInfo.InvariantCulture, $"{c.Biller}\t{c.Pending}\t{c.Delivered}\t{c.Parked}\t{c.Rejected}\t{c.LastSequence}\n"));
            }

            return 0;
        }, ct));
        return status;
    }

    private static Command Parked()
    {
        var biller = Biller(false);
        var parked = new Command("parked", "The operator queue: notifications that kept failing past the maximum age, oldest first.") { biller };
        parked.SetAction(async (result, ct) => await WithStoreAsync(result.GetValue(biller), async store =>
        {
            Console.Write("biller\tsequence\ttype\tswitch_reference\tamount\tcurrency\tcommitted_at\tparked_at\tlast_error\n");
            foreach (var n in await store.ParkedAsync(result.GetValue(biller), 1000, ct))
            {
                Console.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{n.Biller}\t{n.Sequence}\t{n.Kind.ToString().ToLowerInvariant()}\t{n.SwitchReference}\t{n.Amount.Format()}\t{n.Amount.Currency.Alpha}\t{n.CommittedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\t{n.ParkedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\t{n.LastError}\n"));
            }

            return 0;
        }, ct));
        return parked;
    }

    private static Command Retry()
    {
        var biller = Biller(true);
        var sequence = new Option<long?>("--sequence") { Description = "Only this notification; all of the biller's parked ones without it." };
        var retry = new Command("retry", "Put a biller's parked notifications back to be delivered.") { biller, sequence };
        retry.SetAction(async (result, ct) => await WithStoreAsync(result.GetValue(biller), async store =>
        {
            if (result.GetValue(sequence) is < 1)
            {
                await Console.Error.WriteLineAsync("error: --sequence must be 1 or more");
                return 2;
            }

            var retried = await store.RetryParkedAsync(result.GetValue(biller)!, result.GetValue(sequence), AuditActor.CommandLine(), ct);
            Console.WriteLine($"retried {retried}");
            return 0;
        }, ct));
        return retry;
    }

    private static Command Replay()
    {
        var biller = Biller(true);
        var from = new Option<long>("--from") { Description = "The first sequence number to deliver again.", Required = true };
        var replay = new Command("replay", "Deliver a biller's notifications again from a sequence number on (the biller dedupes them).") { biller, from };
        replay.SetAction(async (result, ct) => await WithStoreAsync(result.GetValue(biller), async store =>
        {
            if (result.GetValue(from) < 1)
            {
                await Console.Error.WriteLineAsync("error: --from must be 1 or more");
                return 2;
            }

            Console.WriteLine($"replayed {await store.ReplayAsync(result.GetValue(biller)!, result.GetValue(from), AuditActor.CommandLine(), ct)}");
            return 0;
        }, ct));
        return replay;
    }

    private static Command Adapter()
    {
        var biller = Biller(true);
        var endpoint = new Option<string>("--endpoint") { Description = "The biller's base URL; notifications go to <endpoint>/notifications.", Required = true };
        var key = new Option<string?>("--key") { Description = "The signing key, 32 bytes in base64; a new one is made and printed without it." };
        var rate = new Option<int>("--rate") { Description = "Notifications a second at most (1 to 100000).", DefaultValueFactory = _ => 100 };
        var inFlight = new Option<int>("--in-flight") { Description = "Requests in flight at most (1 to 64).", DefaultValueFactory = _ => 4 };
        var batch = new Option<int>("--batch") { Description = "Notifications per request (1: one by one; at most 1000).", DefaultValueFactory = _ => 1 };
        var timeout = new Option<int>("--timeout-ms") { Description = "How long an answer is waited for (100 to 30000).", DefaultValueFactory = _ => 3500 };
        var off = new Option<bool>("--off") { Description = "Stop notifying this biller (what is dispatched stays pending)." };
        var adapter = new Command("adapter", "Set how the switch reaches a biller's system.") { biller, endpoint, key, rate, inFlight, batch, timeout, off };
        adapter.SetAction(async (result, ct) => await WithStoreAsync(result.GetValue(biller), async store =>
        {
            var request = new AdapterRequest(result.GetValue(endpoint), null, result.GetValue(rate), result.GetValue(inFlight), result.GetValue(batch),
                result.GetValue(timeout), !result.GetValue(off), null);
            if (BillerAdaptersApi.Problem(request) is { } problem)
            {
                await Console.Error.WriteLineAsync($"error: {problem}");
                return 2;
            }

            byte[] signingKey;
            try
            {
                signingKey = result.GetValue(key) is { } given ? Convert.FromBase64String(given) : RandomNumberGenerator.GetBytes(BillerSignature.KeyLength);
            }
            catch (FormatException)
            {
                signingKey = [];
            }

            if (signingKey.Length != BillerSignature.KeyLength)
            {
                await Console.Error.WriteLineAsync($"error: --key must be {BillerSignature.KeyLength} bytes in base64");
                return 2;
            }

            await store.SetAdapterAsync(new BillerAdapterSettings(result.GetValue(biller)!, new Uri(request.Endpoint!), signingKey, "asynchronous",
                request.RatePerSecond!.Value, request.MaxInFlight!.Value, request.BatchSize!.Value, TimeSpan.FromMilliseconds(request.TimeoutMs!.Value),
                request.Notify!.Value), AuditActor.CommandLine(), ct);
            Console.WriteLine(result.GetValue(key) is null ? $"adapter set; signing key (shown once): {Convert.ToBase64String(signingKey)}" : "adapter set");
            return 0;
        }, ct));
        return adapter;
    }

    private static async Task<int> WithStoreAsync(string? biller, Func<PostgresBillerNotifications, Task<int>> action, CancellationToken cancellationToken)
    {
        if (biller is not null && RestInput.Problem("--biller", biller, RestInput.BillerCode) is { } problem)
        {
            await Console.Error.WriteLineAsync($"error: {problem}");
            return 2;
        }

        await using var app = SwitchHost.Build([]);
        // Like every verb, it works on a fresh database too.
        await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
        try
        {
            return await action(app.Services.GetRequiredService<PostgresBillerNotifications>());
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.ForeignKeyViolation)
        {
            await Console.Error.WriteLineAsync($"error: there is no biller {biller}");
            return 1;
        }
    }
}
