using System.CommandLine;
using System.Globalization;
using Switch.Adapters.Postgres;

namespace Switch.Host.Cli;

/// <summary>
/// <c>switch keys issue | list | revoke</c>: the API keys of every kind of principal (bank, biller, operator, central
/// bank). Each change is audited as the operating-system account that ran it. A new key is printed once; the switch
/// keeps only its hash.
/// </summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "Issue, list and revoke API keys (bank, biller, operator, central bank); every change audited.");
        command.Subcommands.Add(CreateIssue());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateRevoke());
        return command;
    }

    private static Command CreateIssue()
    {
        var role = new Option<string>("--role") { Description = "bank, biller, operator or central_bank.", Required = true };
        var participant = new Option<string?>("--participant") { Description = "The bank's or biller's code, for those roles only." };
        var holder = new Option<string>("--holder") { Description = "Who holds the key, as the audit trail will name them.", Required = true };
        var issue = new Command("issue", "Make a new random API key and print it once; only its SHA-256 is stored.") { role, participant, holder };
        issue.SetAction(async (result, cancellationToken) =>
        {
            await using var app = await OpenAsync(cancellationToken);
            return await IssueAsync(app.Services.GetRequiredService<PostgresApiKeys>(), result.GetValue(role)!, result.GetValue(participant),
                result.GetValue(holder)!, AuditActor.CommandLine(), Console.Out, cancellationToken);
        });
        return issue;
    }

    private static Command CreateList()
    {
        var list = new Command("list", "List every API key (id, role, participant, holder, state); keys themselves are never stored.");
        list.SetAction(async (_, cancellationToken) =>
        {
            await using var app = await OpenAsync(cancellationToken);
            Console.Write(Format(await app.Services.GetRequiredService<PostgresApiKeys>().ListAsync(cancellationToken)));
            return 0;
        });
        return list;
    }

    private static Command CreateRevoke()
    {
        var id = new Argument<long>("id") { Description = "The key's id, as keys list shows it." };
        var revoke = new Command("revoke", "Revoke an API key: every node refuses it within Switch:BankCacheTime.") { id };
        revoke.SetAction(async (result, cancellationToken) =>
        {
            await using var app = await OpenAsync(cancellationToken);
            return await RevokeAsync(app.Services.GetRequiredService<PostgresApiKeys>(), result.GetValue(id), AuditActor.CommandLine(), Console.Out, cancellationToken);
        });
        return revoke;
    }

    /// <summary>The verb's work, also run by tests: 0 with the key printed, or 2 with the reason and nothing written.</summary>
    public static async Task<int> IssueAsync(
        PostgresApiKeys keys, string role, string? participant, string holder, AuditActor who, TextWriter output, CancellationToken cancellationToken)
    {
        var (issued, problem) = await keys.IssueAsync(role, participant, holder, who, cancellationToken);
        if (issued is null)
        {
            await output.WriteLineAsync($"error: {problem}; nothing was issued");
            return 2;
        }

        await output.WriteLineAsync($"key {issued.Id} issued to {holder} ({role}{(participant is null ? "" : $" {participant}")}):");
        await output.WriteLineAsync(issued.Key);
        await output.WriteLineAsync("It is shown this once: the switch keeps only its SHA-256. Send it as Authorization: Bearer <key>.");
        return 0;
    }

    /// <summary>The verb's work, also run by tests: 0 when revoked, 1 when there is no such active key.</summary>
    public static async Task<int> RevokeAsync(PostgresApiKeys keys, long id, AuditActor who, TextWriter output, CancellationToken cancellationToken)
    {
        if (!await keys.RevokeAsync(id, who, cancellationToken))
        {
            await output.WriteLineAsync($"error: there is no active key {id}; nothing changed");
            return 1;
        }

        await output.WriteLineAsync($"key {id} revoked");
        return 0;
    }

    /// <summary>One line per key, tab-separated under a header.</summary>
    public static string Format(IReadOnlyList<ApiKeyListing> keys)
    {
        var text = new System.Text.StringBuilder("id\trole\tparticipant\tholder\tstate\tcreated_at\trevoked_at\n");
        foreach (var key in keys)
        {
            text.AppendJoin('\t', key.Id.ToString(CultureInfo.InvariantCulture), key.Role, key.Participant ?? "", key.Holder, key.Active ? "active" : "revoked",
                Utc(key.CreatedAt), key.RevokedAt is { } revoked ? Utc(revoked) : "").Append('\n');
        }

        return text.ToString();
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static async Task<WebApplication> OpenAsync(CancellationToken cancellationToken)
    {
        var app = SwitchHost.Build([]);
        // Like every verb, it works on a fresh database too.
        await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
        return app;
    }
}
