using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Adapters.Postgres;
using Switch.Billers.Registry;

namespace Switch.Host.Rest;

/// <summary>
/// /api/v1/operator/billers: the biller registry for operators. Every change is validated whole (400/30 listing every
/// problem, nothing written), audited with the operator's key, and in force on this node at once (on the others within
/// Switch:CatalogRefresh). A settlement account changes only when a second operator approves it.
/// </summary>
public static class BillerRegistryApi
{
    public static RouteGroupBuilder MapBillerRegistryApi(this RouteGroupBuilder operators)
    {
        var billers = operators.MapGroup("/billers").WithTags("Biller registry");
        billers.MapGet("/", ListAsync).WithName("OperatorListBillers");
        billers.MapGet("/{code}", FindAsync).WithName("OperatorGetBiller").ProducesProblem(StatusCodes.Status404NotFound);
        billers.MapPost("/", CreateAsync).WithName("CreateBiller").DocumentsJsonBody<BillerDraft>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        billers.MapPut("/{code}", UpdateAsync).WithName("UpdateBiller").DocumentsJsonBody<BillerDraft>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        billers.MapPost("/{code}/suspend", (string code, HttpContext http, PostgresBillerRegistry registry, PostgresBillerCatalog catalog) =>
            SetActiveAsync(code, false, http, registry, catalog)).WithName("SuspendBiller").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        billers.MapPost("/{code}/resume", (string code, HttpContext http, PostgresBillerRegistry registry, PostgresBillerCatalog catalog) =>
            SetActiveAsync(code, true, http, registry, catalog)).WithName("ResumeBiller").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        billers.MapPost("/{code}/settlement-account", RequestSettlementChangeAsync).WithName("RequestSettlementAccountChange")
            .DocumentsJsonBody<SettlementAccountDraft>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        billers.MapPost("/{code}/settlement-account/approve", (string code, HttpContext http, PostgresBillerRegistry registry, PostgresBillerCatalog catalog) =>
            DecideAsync(code, true, http, registry, catalog)).WithName("ApproveSettlementAccountChange")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        billers.MapPost("/{code}/settlement-account/reject", (string code, HttpContext http, PostgresBillerRegistry registry, PostgresBillerCatalog catalog) =>
            DecideAsync(code, false, http, registry, catalog)).WithName("RejectSettlementAccountChange")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return operators;
    }

    private static async Task<Ok<BillerEntryBody[]>> ListAsync(HttpContext http, PostgresBillerRegistry registry) =>
        TypedResults.Ok((await registry.ListAsync(http.Deadline())).Select(Body).ToArray());

    private static async Task<Results<Ok<BillerEntryBody>, ProblemHttpResult>> FindAsync(string code, HttpContext http, PostgresBillerRegistry registry) =>
        await registry.FindAsync(code, http.Deadline()) is { } entry
            ? TypedResults.Ok(Body(entry))
            : Problems.For(ResponseCodes.UnknownBiller, "there is no such biller", http);

    private static async Task<Results<Created<BillerEntryBody>, ProblemHttpResult>> CreateAsync(
        HttpContext http, PostgresBillerRegistry registry, PostgresBillerCatalog catalog)
    {
        var (draft, problem) = await RestJson.ReadAsync<BillerDraft>(http.Request, _ => null);
        if (draft is null)
        {
            return problem!;
        }

        var (definition, problems) = draft.Validate();
        if (definition is null)
        {
            return Problems.Invalid(problems, http);
        }

        var settlement = draft.SettlementAccount is { } account ? new SettlementAccount(account.Iban!, account.Bank!) : null;
        var result = await registry.CreateAsync(definition, settlement, AuditActor.Of(http.Caller()), http.Deadline());
        return result.Entry is { } entry
            ? Changed(catalog, TypedResults.Created($"/api/v1/operator/billers/{entry.Definition.Code}", Body(entry)))
            : Refusal(result, http);
    }

    private static async Task<Results<Ok<BillerEntryBody>, ProblemHttpResult>> UpdateAsync(
        string code, HttpContext http, PostgresBillerRegistry registry, PostgresBillerCatalog catalog)
    {
        var (draft, problem) = await RestJson.ReadAsync<BillerDraft>(http.Request, _ => null);
        if (draft is null)
        {
            return problem!;
        }

        if (draft.Code is not null && draft.Code != code)
        {
            return Problems.For(ResponseCodes.FormatError, "code in the body must be the biller's code in the URL (a biller's code never changes)", http);
        }

        if (draft.SettlementAccount is not null)
        {
            return Problems.For(ResponseCodes.FormatError, "settlementAccount changes through POST .../settlement-account and a second operator's approval", http);
        }

        var (definition, problems) = (draft with { Code = code }).Validate();
        if (definition is null)
        {
            return Problems.Invalid(problems, http);
        }

        var result = await registry.UpdateAsync(definition, AuditActor.Of(http.Caller()), http.Deadline());
        return result.Entry is { } entry ? Changed(catalog, TypedResults.Ok(Body(entry))) : Refusal(result, http);
    }

    private static async Task<Results<Ok<BillerEntryBody>, ProblemHttpResult>> SetActiveAsync(
        string code, bool active, HttpContext http, PostgresBillerRegistry registry, PostgresBillerCatalog catalog)
    {
        var result = await registry.SetActiveAsync(code, active, AuditActor.Of(http.Caller()), http.Deadline());
        return result.Entry is { } entry ? Changed(catalog, TypedResults.Ok(Body(entry))) : Refusal(result, http);
    }

    private static async Task<Results<Accepted<BillerEntryBody>, ProblemHttpResult>> RequestSettlementChangeAsync(
        string code, HttpContext http, PostgresBillerRegistry registry)
    {
        var (account, problem) = await RestJson.ReadAsync<SettlementAccountDraft>(http.Request, _ => null);
        if (account is null)
        {
            return problem!;
        }

        var problems = new List<string>();
        if (Iban.Problem(account.Iban) is { } iban)
        {
            problems.Add($"iban: {iban}");
        }

        if (account.Bank is null || RestInput.Problem("bank", account.Bank, RestInput.BankCode) is not null)
        {
            problems.Add("bank is the code of the bank holding the account (1 to 11 letters or digits)");
        }

        if (problems.Count > 0)
        {
            return Problems.Invalid(problems, http);
        }

        var result = await registry.RequestSettlementChangeAsync(code, new SettlementAccount(account.Iban!, account.Bank!), AuditActor.Of(http.Caller()), http.Deadline());
        return result.Entry is { } entry
            ? TypedResults.Accepted($"/api/v1/operator/billers/{code}", Body(entry))
            : Refusal(result, http);
    }

    private static async Task<Results<Ok<BillerEntryBody>, ProblemHttpResult>> DecideAsync(
        string code, bool approve, HttpContext http, PostgresBillerRegistry registry, PostgresBillerCatalog catalog)
    {
        var result = await registry.DecideSettlementChangeAsync(code, approve, AuditActor.Of(http.Caller()), http.Deadline());
        if (result.Outcome == RegistryOutcome.Conflict)
        {
            // Maker-checker: the operator who asked may not decide; another operator must.
            return Problems.For(ResponseCodes.NotPermitted, result.Problem, http);
        }

        return result.Entry is { } entry ? Changed(catalog, TypedResults.Ok(Body(entry))) : Refusal(result, http);
    }

    private static T Changed<T>(PostgresBillerCatalog catalog, T result)
    {
        catalog.Invalidate();
        return result;
    }

    private static ProblemHttpResult Refusal(RegistryResult result, HttpContext http) => result.Outcome switch
    {
        RegistryOutcome.NotFound => Problems.For(ResponseCodes.UnknownBiller, result.Problem, http),
        RegistryOutcome.Conflict => Problems.WithStatus(ResponseCodes.InvalidTransaction, StatusCodes.Status409Conflict, result.Problem, http),
        _ => Problems.Invalid([result.Problem!], http),
    };

    private static BillerEntryBody Body(BillerEntry entry) => new(
        BillerDraft.From(entry.Definition), entry.Status, entry.Settlement,
        entry.PendingSettlement is { } pending ? new PendingSettlementBody(pending.Account.Iban, pending.Account.Bank, pending.RequestedBy, pending.RequestedAt) : null,
        entry.UpdatedAt);
}

/// <summary>A registered biller as operators see it: the definition they write, its status and its settlement account with any change awaiting approval.</summary>
public sealed record BillerEntryBody(
    BillerDraft Definition, string Status, SettlementAccount? SettlementAccount, PendingSettlementBody? PendingSettlementAccount, DateTimeOffset UpdatedAt);

public sealed record PendingSettlementBody(string Iban, string Bank, string RequestedBy, DateTimeOffset RequestedAt);
