using System.CommandLine;
using System.Globalization;
using Switch.Adapters.Postgres;
using Switch.Host.Rest;
using Switch.Monetary;
using Switch.Settlement.Netting;
using Switch.Settlement.Reports;
using Switch.Settlement.Windows;

namespace Switch.Host.Cli;

/// <summary>
/// <c>switch settlement ...</c>: the central bank's settlement windows from a switch host, through PostgreSQL like
/// every node (no running switch needed), each change audited as the account that ran it. <c>close</c> prints the id
/// of the window it closed; a change out of turn or of an unknown window prints why and exits 1, changing nothing.
/// </summary>
public static class SettlementCommand
{
    public static Command Create()
    {
        var command = new Command("settlement", "Settlement windows: list, close, confirm settled, abort.");
        command.Subcommands.Add(CreateWindows());
        command.Subcommands.Add(CreateClose());
        command.Subcommands.Add(CreateChange(WindowAction.Confirm, "Confirm a closed window settled: what its banks owe for it is released from their net debit caps."));
        command.Subcommands.Add(CreateReport());
        command.Subcommands.Add(CreateReports());
        command.Subcommands.Add(CreatePublicKey());
        command.Subcommands.Add(CreateChange(WindowAction.Abort, "Abort a closed window: its payments and reversals are settled with the window open now."));
        return command;
    }

    private static Command CreateWindows()
    {
        var windows = new Command("windows", "List the settlement windows with their totals, oldest first.");
        windows.SetAction(async (_, cancellationToken) =>
        {
            await using var app = SwitchHost.Build([]);
            await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            return await ListAsync(app.Services.GetRequiredService<PostgresSettlementWindows>(), Console.Out, cancellationToken);
        });
        return windows;
    }

    private static Command CreateClose()
    {
        var currency = new Option<string>("--currency") { Description = "The currency whose open window closes (ISO 4217 code).", DefaultValueFactory = _ => "SAR" };
        var close = new Command("close", "Close the open window of a currency and open the next; prints the closed window's id.") { currency };
        close.SetAction(async (result, cancellationToken) =>
        {
            if (Currency.FromAlpha(result.GetValue(currency)) is not { } known)
            {
                await Console.Error.WriteLineAsync("error: --currency is the ISO 4217 code of a currency the switch knows (SAR, JOD, SYP)");
                return 2;
            }

            await using var app = SwitchHost.Build([]);
            await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            var closed = await app.Services.GetRequiredService<PostgresSettlementWindows>().CloseAsync(known, ClosedBy.Demand, AuditActor.CommandLine(), cancellationToken);
            Console.WriteLine(closed.WindowId.ToString(CultureInfo.InvariantCulture));
            await Console.Error.WriteLineAsync(
                $"window {closed.WindowId} ({known.Alpha}) closed; window {closed.NextWindowId} open; commits held {closed.InServer.TotalMilliseconds:F1} ms in the server plus its commit");
            return 0;
        });
        return close;
    }

    private static Command CreateChange(WindowAction action, string description)
    {
        var window = new Argument<string>("window") { Description = "The window's id (settlement windows lists them)." };
        var change = new Command(action.ToString().ToLowerInvariant(), description) { window };
        change.SetAction(async (result, cancellationToken) =>
        {
            if (!SettlementApi.TryParseId(result.GetValue(window), out var id))
            {
                await Console.Error.WriteLineAsync("error: a window id is 1 to 18 digits");
                return 2;
            }

            await using var app = SwitchHost.Build([]);
            await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            return await ChangeAsync(app.Services.GetRequiredService<PostgresSettlementWindows>(), id, action, AuditActor.CommandLine(), Console.Out, Console.Error, cancellationToken);
        });
        return change;
    }

    private static Command CreateReport()
    {
        var window = new Argument<string>("window") { Description = "The id of a closed or settled window." };
        var format = new Option<string>("--format") { Description = "csv or json.", DefaultValueFactory = _ => "csv" };
        var report = new Command("report", "Print the multilateral net position of each participant in a closed window, with the totals that prove it balances.")
        {
            window, format,
        };
        report.SetAction(async (result, cancellationToken) =>
        {
            if (!SettlementApi.TryParseId(result.GetValue(window), out var id) || result.GetValue(format) is not ("csv" or "json"))
            {
                await Console.Error.WriteLineAsync("error: a window id is 1 to 18 digits, --format csv or json");
                return 2;
            }

            await using var app = SwitchHost.Build([]);
            await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            return await ReportAsync(app.Services.GetRequiredService<PostgresSettlementWindows>(), id, result.GetValue(format)!, Console.Out, Console.Error, cancellationToken);
        });
        return report;
    }

    private static Command CreateReports()
    {
        var window = new Argument<string>("window") { Description = "The id of a closed or settled window." };
        var folder = new Option<string>("--out") { Description = "The folder to write them to (made if missing).", Required = true };
        var reports = new Command("reports", "Write a window's reports (net positions as CSV and JSON), each with its signature (.sig), and the switch's public key, to a folder.")
        {
            window, folder,
        };
        reports.SetAction(async (result, cancellationToken) =>
        {
            if (!SettlementApi.TryParseId(result.GetValue(window), out var id))
            {
                await Console.Error.WriteLineAsync("error: a window id is 1 to 18 digits");
                return 2;
            }

            await using var app = SwitchHost.Build([]);
            await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            var secrets = app.Services.GetRequiredService<Adapters.Secrets.InstallationSecrets>();
            await secrets.StartAsync(cancellationToken);
            using var key = ReportSignature.Open(secrets.ReportSigningKey);
            return await WriteReportsAsync(app.Services.GetRequiredService<PostgresSettlementWindows>(), id, key, result.GetValue(folder)!, Console.Out, Console.Error, cancellationToken);
        });
        return reports;
    }

    private static Command CreatePublicKey()
    {
        var publicKey = new Command("public-key", "Print the switch's public key for its report signatures (PEM), as the central bank verifies them with.");
        publicKey.SetAction(async (_, cancellationToken) =>
        {
            await using var app = SwitchHost.Build([]);
            await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            var secrets = app.Services.GetRequiredService<Adapters.Secrets.InstallationSecrets>();
            await secrets.StartAsync(cancellationToken);
            using var key = ReportSignature.Open(secrets.ReportSigningKey);
            await Console.Out.WriteAsync(ReportSignature.PublicKeyPem(key) + "\n");
            return 0;
        });
        return publicKey;
    }

    /// <summary>
    /// The reports verb's work, also run by tests: window-N-net-positions.csv and .json, each with a detached signature
    /// (.sig, DER, as <c>openssl dgst -sha256 -verify</c> checks it), and switch-public-key.pem; 0 and the files' names, or
    /// 1 and why there are none.
    /// </summary>
    public static async Task<int> WriteReportsAsync(
        PostgresSettlementWindows store, long id, System.Security.Cryptography.ECDsa key, string folder, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var (found, refusal, flows) = await store.FlowsAsync(id, cancellationToken);
        if (found is null || refusal is not null)
        {
            await errors.WriteLineAsync($"error: {refusal}");
            return 1;
        }

        Directory.CreateDirectory(folder);
        var netting = NetPositions.Net(found.Currency, flows, SettlementBanks.Of);
        var name = $"window-{id.ToString(CultureInfo.InvariantCulture)}-net-positions";
        foreach (var (file, text) in new[] { ($"{name}.csv", NetPositionReport.Csv(id, netting)), ($"{name}.json", NetPositionReport.Json(id, netting) + "\n") })
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            await File.WriteAllBytesAsync(Path.Combine(folder, file), bytes, cancellationToken);
            await File.WriteAllBytesAsync(Path.Combine(folder, file + ".sig"), ReportSignature.Sign(key, bytes), cancellationToken);
            await output.WriteLineAsync($"{file}\t{file}.sig");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "switch-public-key.pem"), ReportSignature.PublicKeyPem(key) + "\n", cancellationToken);
        await output.WriteLineAsync("switch-public-key.pem");
        return 0;
    }

    /// <summary>The report verb's work, also run by tests: 0 and the report, or 1 and why there is none.</summary>
    public static async Task<int> ReportAsync(
        PostgresSettlementWindows store, long id, string format, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var (found, refusal, flows) = await store.FlowsAsync(id, cancellationToken);
        if (found is null || refusal is not null)
        {
            await errors.WriteLineAsync($"error: {refusal}");
            return 1;
        }

        var netting = NetPositions.Net(found.Currency, flows, SettlementBanks.Of);
        await output.WriteAsync(format == "json" ? NetPositionReport.Json(id, netting) + "\n" : NetPositionReport.Csv(id, netting));
        return 0;
    }

    /// <summary>The verb's work, also run by tests: 0 when done, 1 (with the reason on <paramref name="errors"/>) when refused.</summary>
    public static async Task<int> ChangeAsync(
        PostgresSettlementWindows store, long id, WindowAction action, AuditActor who, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var change = action == WindowAction.Confirm ? await store.ConfirmAsync(id, who, cancellationToken) : await store.AbortAsync(id, who, cancellationToken);
        if (change.Outcome != WindowChangeOutcome.Done)
        {
            await errors.WriteLineAsync($"error: {change.Reason}; nothing changed");
            return 1;
        }

        await output.WriteLineAsync(Line(change.Window!));
        return 0;
    }

    public static async Task<int> ListAsync(PostgresSettlementWindows store, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync("window\tcurrency\tstate\topened\tclosed\tpayments\tpaid\treversals\treversed\tnet\tcarried into");
        foreach (var window in await store.ListAsync(cancellationToken))
        {
            await output.WriteLineAsync(Line(window));
        }

        return 0;
    }

    private static string Line(SettlementWindow w) => string.Join('\t',
        w.Id.ToString(CultureInfo.InvariantCulture), w.Currency.Alpha, w.State.ToString().ToLowerInvariant(), Time(w.OpenedAt), w.ClosedAt is { } closed ? Time(closed) : "-",
        w.Payments.ToString(CultureInfo.InvariantCulture), w.Paid.Format(), w.Reversals.ToString(CultureInfo.InvariantCulture), w.Reversed.Format(), w.Net.Format(),
        w.CarriedInto?.ToString(CultureInfo.InvariantCulture) ?? "-");

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
