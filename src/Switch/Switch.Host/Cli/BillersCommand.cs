using System.CommandLine;
using System.Text.Json;
using Switch.Adapters.Postgres;
using Switch.Billers.Reconciliation;
using Switch.Billers.Registry;

namespace Switch.Host.Cli;

/// <summary>
/// <c>switch billers list | show | create | update | suspend | resume | settlement-account | approve-settlement |
/// reject-settlement | reconcile</c>: the biller registry at the command line, each change validated like the REST API's and audited
/// as the operating-system account that ran it. A running switch applies a change within Switch:CatalogRefresh.
/// Exit codes: 0 done, 1 no such biller or nothing waiting, 2 invalid (nothing written), 3 refused by the registry's state.
/// </summary>
public static class BillersCommand
{
    /// <summary>Indented, and Arabic as Arabic (an operator reads it in a terminal, it goes into no HTML).</summary>
    private static readonly JsonSerializerOptions Indented = new(PostgresBillerRegistry.Json)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var command = new Command("billers", "Administer the biller registry (create, update, suspend, settlement accounts with a second operator's approval); every change audited.");
        command.Subcommands.Add(Simple("list", "One line per biller: code, status, category, presentment, rule, currency, English name, settlement account state.",
            (registry, _, output, ct) => ListAsync(registry, output, ct)));
        command.Subcommands.Add(Simple("show", "A biller's whole entry as JSON (the definition as create and update take it).",
            (registry, code, output, ct) => ShowAsync(registry, code!, output, ct)));
        command.Subcommands.Add(WithFile("create", "Register a biller from a JSON file (- for standard input); a settlementAccount in it waits for another operator's approval.",
            (registry, _, draft, output, ct) => CreateAsync(registry, draft, AuditActor.CommandLine(), output, ct), withCode: false));
        command.Subcommands.Add(WithFile("update", "Replace a biller's definition with a JSON file (- for standard input); status and settlement account are kept.",
            (registry, code, draft, output, ct) => UpdateAsync(registry, code!, draft, AuditActor.CommandLine(), output, ct), withCode: true));
        command.Subcommands.Add(Simple("suspend", "Suspend a biller: banks get 92 for it until it is resumed.",
            (registry, code, output, ct) => SetActiveAsync(registry, code!, false, AuditActor.CommandLine(), output, ct)));
        command.Subcommands.Add(Simple("resume", "Resume a suspended biller.",
            (registry, code, output, ct) => SetActiveAsync(registry, code!, true, AuditActor.CommandLine(), output, ct)));
        command.Subcommands.Add(CreateSettlementAccount());
        command.Subcommands.Add(CreateReconcile());
        command.Subcommands.Add(Simple("approve-settlement", "Approve a biller's waiting settlement account change (not by the operator who asked for it).",
            (registry, code, output, ct) => DecideAsync(registry, code!, true, AuditActor.CommandLine(), output, ct)));
        command.Subcommands.Add(Simple("reject-settlement", "Reject a biller's waiting settlement account change (not by the operator who asked for it).",
            (registry, code, output, ct) => DecideAsync(registry, code!, false, AuditActor.CommandLine(), output, ct)));
        return command;
    }

    public static async Task<int> ListAsync(PostgresBillerRegistry registry, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteAsync("code\tstatus\tcategory\tpresentment\trule\tcurrency\tname_en\tsettlement\n");
        foreach (var entry in await registry.ListAsync(cancellationToken))
        {
            var d = entry.Definition;
            var settlement = entry.PendingSettlement is not null ? "change-pending" : entry.Settlement is not null ? "set" : "none";
            await output.WriteAsync(string.Join('\t', d.Code, entry.Status, d.Category, BillerDraft.Name(d.Mode), d.Rule.ToString().ToUpperInvariant(),
                d.Currency.Alpha, d.NameEn, settlement) + "\n");
        }

        return 0;
    }

    public static async Task<int> ShowAsync(PostgresBillerRegistry registry, string code, TextWriter output, CancellationToken cancellationToken)
    {
        if (await registry.FindAsync(code, cancellationToken) is not { } entry)
        {
            await output.WriteLineAsync($"error: there is no biller {Printable(code)}");
            return 1;
        }

        await output.WriteLineAsync(JsonSerializer.Serialize(new Rest.BillerEntryBody(BillerDraft.From(entry.Definition), entry.Status, entry.Settlement,
            entry.PendingSettlement is { } p ? new Rest.PendingSettlementBody(p.Account.Iban, p.Account.Bank, p.RequestedBy, p.RequestedAt) : null, entry.UpdatedAt), Indented));
        return 0;
    }

    public static async Task<int> CreateAsync(PostgresBillerRegistry registry, BillerDraft draft, AuditActor who, TextWriter output, CancellationToken cancellationToken)
    {
        var (definition, problems) = draft.Validate();
        if (definition is null)
        {
            return await InvalidAsync(problems, output);
        }

        var settlement = draft.SettlementAccount is { } account ? new SettlementAccount(account.Iban!, account.Bank!) : null;
        return await ReportAsync(await registry.CreateAsync(definition, settlement, who, cancellationToken), "created", output);
    }

    public static async Task<int> UpdateAsync(PostgresBillerRegistry registry, string code, BillerDraft draft, AuditActor who, TextWriter output, CancellationToken cancellationToken)
    {
        if (draft.Code is not null && draft.Code != code)
        {
            return await InvalidAsync(["code in the file must be the biller's code (a biller's code never changes)"], output);
        }

        if (draft.SettlementAccount is not null)
        {
            return await InvalidAsync(["settlementAccount changes with billers settlement-account and another operator's approval"], output);
        }

        var (definition, problems) = (draft with { Code = code }).Validate();
        return definition is null ? await InvalidAsync(problems, output) : await ReportAsync(await registry.UpdateAsync(definition, who, cancellationToken), "updated", output);
    }

    public static async Task<int> SetActiveAsync(PostgresBillerRegistry registry, string code, bool active, AuditActor who, TextWriter output, CancellationToken cancellationToken) =>
        await ReportAsync(await registry.SetActiveAsync(code, active, who, cancellationToken), active ? "resumed" : "suspended", output);

    public static async Task<int> RequestSettlementAsync(
        PostgresBillerRegistry registry, string code, string iban, string bank, AuditActor who, TextWriter output, CancellationToken cancellationToken)
    {
        if (Iban.Problem(iban) is { } problem)
        {
            return await InvalidAsync([$"--iban: {problem}"], output);
        }

        return await ReportAsync(await registry.RequestSettlementChangeAsync(code, new SettlementAccount(iban, bank), who, cancellationToken),
            "settlement account change waiting for another operator's approval", output);
    }

    public static async Task<int> DecideAsync(PostgresBillerRegistry registry, string code, bool approve, AuditActor who, TextWriter output, CancellationToken cancellationToken) =>
        await ReportAsync(await registry.DecideSettlementChangeAsync(code, approve, who, cancellationToken),
            approve ? "settlement account change approved" : "settlement account change rejected", output);

    private static Command CreateSettlementAccount()
    {
        var code = new Argument<string>("code") { Description = "The biller's code." };
        var iban = new Option<string>("--iban") { Description = "The account's IBAN, upper case without spaces.", Required = true };
        var bank = new Option<string>("--bank") { Description = "The code of the bank holding the account.", Required = true };
        var command = new Command("settlement-account", "Ask for a new settlement account for a biller: it takes effect when another operator approves it.") { code, iban, bank };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var app = await OpenAsync(cancellationToken);
            return await RequestSettlementAsync(app.Services.GetRequiredService<PostgresBillerRegistry>(), result.GetValue(code)!, result.GetValue(iban)!,
                result.GetValue(bank)!, AuditActor.CommandLine(), Console.Out, cancellationToken);
        });
        return command;
    }

    private static Command CreateReconcile()
    {
        var code = new Argument<string>("code") { Description = "The biller's code." };
        var day = new Argument<string>("day") { Description = "The UTC day, yyyy-MM-dd." };
        var file = new Option<string?>("--file") { Description = "The biller's own file of the day (docs/reconciliation.md; - reads standard input): print the differences instead of the switch's file." };
        var command = new Command("reconcile", "A biller's reconciliation of a day: the switch's file (CSV) or, with --file, every difference with the biller's; exit 1 when there are differences.") { code, day, file };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!ReconciliationFile.TryParseDay(result.GetValue(day), out var date))
            {
                await Console.Out.WriteLineAsync("error: the day is yyyy-MM-dd (UTC)");
                return 2;
            }

            string? theirs = null;
            if (result.GetValue(file) is { } path)
            {
                try
                {
                    theirs = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
                }
                catch (IOException e)
                {
                    await Console.Out.WriteLineAsync($"error: cannot read {path}: {e.Message}");
                    return 2;
                }
            }

            await using var app = await OpenAsync(cancellationToken);
            return await ReconcileAsync(app.Services.GetRequiredService<PostgresReconciliation>(), result.GetValue(code)!, date, theirs, Console.Out, cancellationToken);
        });
        return command;
    }

    /// <summary>Prints the switch's file of the day, or (given the biller's) one tab-separated line per difference: 0 none, 1 some, 2 an unreadable file.</summary>
    public static async Task<int> ReconcileAsync(PostgresReconciliation reconciliation, string biller, DateOnly day, string? theirs, TextWriter output, CancellationToken cancellationToken)
    {
        var ours = await reconciliation.DayAsync(biller, day, cancellationToken);
        if (theirs is null)
        {
            await output.WriteAsync(ReconciliationFile.Write(ours));
            return 0;
        }

        var (entries, errors, errorCount) = ReconciliationFile.Parse(theirs);
        if (errorCount > 0)
        {
            foreach (var error in errors)
            {
                await output.WriteLineAsync($"error: line {error.Line}: {error.Problem}");
            }

            await output.WriteLineAsync($"{errorCount} lines cannot be read; nothing was compared");
            return 2;
        }

        var differences = ReconciliationFile.Compare(ours, entries);
        foreach (var d in differences)
        {
            await output.WriteLineAsync($"{d.Kind}\t{d.SwitchReference}\tswitch: {d.Ours ?? "-"}\tbiller: {d.Theirs ?? "-"}");
        }

        await output.WriteLineAsync($"{ours.Count} entries at the switch, {entries.Count} in the biller's file, {differences.Count} differences");
        return differences.Count == 0 ? 0 : 1;
    }

    private static Command Simple(string name, string description, Func<PostgresBillerRegistry, string?, TextWriter, CancellationToken, Task<int>> run)
    {
        var code = new Argument<string>("code") { Description = "The biller's code." };
        var command = new Command(name, description);
        if (name != "list")
        {
            command.Arguments.Add(code);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            await using var app = await OpenAsync(cancellationToken);
            return await run(app.Services.GetRequiredService<PostgresBillerRegistry>(), name == "list" ? null : result.GetValue(code), Console.Out, cancellationToken);
        });
        return command;
    }

    private static Command WithFile(string name, string description, Func<PostgresBillerRegistry, string?, BillerDraft, TextWriter, CancellationToken, Task<int>> run, bool withCode)
    {
        var code = new Argument<string>("code") { Description = "The biller's code." };
        var file = new Option<string>("--file") { Description = "The biller as JSON (the shape billers show prints); - reads standard input.", Required = true };
        var command = new Command(name, description) { file };
        if (withCode)
        {
            command.Arguments.Add(code);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            BillerDraft? draft;
            try
            {
                var text = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
                draft = ReadDraft(text);
            }
            catch (IOException e)
            {
                await Console.Out.WriteLineAsync($"error: cannot read {path}: {e.Message}");
                return 2;
            }

            if (draft is null)
            {
                return await InvalidAsync(["the file must hold one JSON object with the fields billers show prints under definition, each given once"], Console.Out);
            }

            await using var app = await OpenAsync(cancellationToken);
            return await run(app.Services.GetRequiredService<PostgresBillerRegistry>(), withCode ? result.GetValue(code) : null, draft, Console.Out, cancellationToken);
        });
        return command;
    }

    /// <summary>The draft in <paramref name="json"/>, or null when it is not one JSON object of that shape.</summary>
    public static BillerDraft? ReadDraft(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<BillerDraft>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web) { AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<int> InvalidAsync(IReadOnlyList<string> problems, TextWriter output)
    {
        foreach (var problem in problems)
        {
            await output.WriteLineAsync($"error: {problem}");
        }

        await output.WriteLineAsync("nothing was changed");
        return 2;
    }

    private static async Task<int> ReportAsync(RegistryResult result, string done, TextWriter output)
    {
        if (result.Entry is { } entry)
        {
            await output.WriteLineAsync($"biller {entry.Definition.Code} {done}");
            return 0;
        }

        await output.WriteLineAsync($"error: {result.Problem}; nothing was changed");
        return result.Outcome switch
        {
            RegistryOutcome.NotFound => 1,
            RegistryOutcome.Invalid => 2,
            _ => 3,
        };
    }

    private static string Printable(string text) => new([.. text.Take(20).Select(c => char.IsControl(c) ? '?' : c)]);

    private static async Task<WebApplication> OpenAsync(CancellationToken cancellationToken)
    {
        var app = SwitchHost.Build([]);
        await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
        return app;
    }
}
