using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Billing;

namespace Switch.Host.Rest;

/// <summary>GET /api/v1/billers and /api/v1/billers/{code}: the active billers, their rules, and whether the caller may pay them.</summary>
public static class BillersApi
{
    public static RouteGroupBuilder MapBillersApi(this RouteGroupBuilder api)
    {
        var billers = api.MapGroup("/billers").WithTags("Billers");
        billers.MapGet("/", ListAsync).WithName("ListBillers");
        billers.MapGet("/{code}", FindAsync).WithName("GetBiller").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Ok<BillerBody[]>> ListAsync(HttpContext http, IBillerCatalog catalog)
    {
        var bank = http.CallingBank().Code;
        return TypedResults.Ok((await catalog.AllAsync(http.Deadline())).Select(b => Body(b, bank)).ToArray());
    }

    private static async Task<Results<Ok<BillerBody>, ProblemHttpResult>> FindAsync(string code, HttpContext http, IBillerCatalog catalog) =>
        await catalog.FindAsync(code, http.Deadline()) is { } biller
            ? TypedResults.Ok(Body(biller, http.CallingBank().Code))
            : Problems.For(ResponseCodes.UnknownBiller, "there is no such biller", http);

    private static BillerBody Body(Biller biller, string bank) => new(
        biller.Code, biller.NameEn, biller.NameAr, biller.Category, biller.Currency.Alpha,
        biller.Mode.ToString().ToLowerInvariant(), biller.Rule.ToString().ToUpperInvariant(),
        biller.Rule == PaymentRule.Partial ? biller.MinimumPayment.Format() : null,
        biller.Rule == PaymentRule.Overpay ? biller.MaximumPayment.Format() : null,
        biller.TransactionLimit.Format(), biller.AccountPattern.ToString(),
        [.. biller.Channels.Order().Select(RestFormat.Name)], biller.EnrolledBanks.Contains(bank));
}
