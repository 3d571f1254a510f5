using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Adapters.Postgres;
using Switch.Billers.Registry;

namespace Switch.Host.Rest;

/// <summary>
/// /api/v1/biller: what a biller reaches with its own API key (role biller): its registry entry and its own bills. The
/// biller is the key's, never a parameter: another biller's bill number is not found.
/// </summary>
public static class BillerPortalApi
{
    public static RouteGroupBuilder MapBillerPortalApi(this RouteGroupBuilder billers)
    {
        billers.MapGet("/profile", ProfileAsync).WithName("BillerProfile");
        billers.MapGet("/bills/{billNumber}", BillAsync).WithName("BillerGetBill").ProducesProblem(StatusCodes.Status404NotFound);
        return billers;
    }

    private static async Task<Results<Ok<BillerProfileBody>, ProblemHttpResult>> ProfileAsync(HttpContext http, PostgresBillerRegistry registry) =>
        await registry.FindAsync(http.Caller().Participant!, http.Deadline()) is { } entry
            ? TypedResults.Ok(new BillerProfileBody(BillerDraft.From(entry.Definition), entry.Status, entry.Settlement))
            : Problems.For(ResponseCodes.UnknownBiller, "the key's biller is not registered", http);

    private static async Task<Results<Ok<BillerBillBody>, ProblemHttpResult>> BillAsync(string billNumber, HttpContext http, PostgresBillerBills bills) =>
        await bills.FindAsync(http.Caller().Participant!, billNumber, http.Deadline()) is { } bill
            ? TypedResults.Ok(new BillerBillBody(bill.BillNumber, bill.AccountNumber, bill.CustomerName, bill.AmountDue.Format(), bill.AmountPaid.Format(),
                bill.AmountDue.Currency.Alpha, bill.DueDate, bill.ExpiryDate, bill.Status.ToString().ToLowerInvariant()))
            : Problems.For(ResponseCodes.UnknownAccount, "the biller has no such bill", http);
}

public sealed record BillerProfileBody(BillerDraft Definition, string Status, SettlementAccount? SettlementAccount);

public sealed record BillerBillBody(
    string BillNumber, string AccountNumber, string CustomerName, string AmountDue, string AmountPaid, string Currency, DateOnly DueDate, DateOnly? ExpiryDate, string Status);
