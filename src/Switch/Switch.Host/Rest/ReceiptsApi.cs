using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Adapters.Postgres;
using Switch.Transactions;

namespace Switch.Host.Rest;

/// <summary>
/// POST /api/v1/receipts/verify: whether a receipt (switch reference + receipt code) is one the switch issued, and if so
/// what it was for: amount, currency, biller, date and whether it still stands. Any authenticated caller may verify any
/// receipt (a biller or another bank checks what a customer shows them), so the answer never names the payer, the
/// payer's account or the billing account. The code is checked before anything is read, so a forged one costs no query.
/// </summary>
public static partial class ReceiptsApi
{
    public static RouteGroupBuilder MapReceiptsApi(this RouteGroupBuilder api)
    {
        api.MapGroup("/receipts").WithTags("Receipts")
            .MapPost("/verify", VerifyAsync).WithName("VerifyReceipt").DocumentsJsonBody<ReceiptVerifyRequest>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    private static async Task<Results<Ok<ReceiptVerifyBody>, ProblemHttpResult>> VerifyAsync(
        HttpContext http, TransactionFlow flow, PostgresReceiptLookup receipts)
    {
        var (request, problem) = await RestJson.ReadAsync<ReceiptVerifyRequest>(http.Request, RestInput.Problem);
        if (request is null)
        {
            return problem!;
        }

        if (request.Reference is not { } reference || !ReferencePattern().IsMatch(reference))
        {
            return Problems.For(ResponseCodes.FormatError, "reference is the payment's switch reference: SW and 20 hex digits (16 before node numbers)", http);
        }

        if (request.ReceiptCode is not { } code || !CodePattern().IsMatch(code))
        {
            return Problems.For(ResponseCodes.FormatError,
                $"receiptCode is {ReceiptCodes.Length} characters of {ReceiptCodes.Alphabet}", http);
        }

        if (!flow.IsReceiptCode(reference, code) || await receipts.FindAsync(reference, http.Deadline()) is not { } facts)
        {
            return TypedResults.Ok(ReceiptVerifyBody.Invalid(reference));
        }

        // A late approval turned into the 91 its bank heard keeps no receipt.
        if (await flow.FindPaymentAsync(facts.Bank, reference, http.Deadline()) is not { Status: not PaymentStatus.Declined } payment)
        {
            return TypedResults.Ok(ReceiptVerifyBody.Invalid(reference));
        }

        var status = payment.Status == PaymentStatus.Reversed ? "reversed" : "approved";
        return TypedResults.Ok(new ReceiptVerifyBody(reference, true, status, facts.Amount.Format(), facts.Amount.Currency.Alpha,
            facts.BillerCode, DateOnly.FromDateTime(facts.ApprovedAt.UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [GeneratedRegex("^SW[0-9A-F]{16}([0-9A-F]{4})?$")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex("^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{12}$")]
    private static partial Regex CodePattern();
}

/// <summary>POST /api/v1/receipts/verify: the two things printed on a receipt.</summary>
public sealed record ReceiptVerifyRequest(string? Reference, string? ReceiptCode);

/// <summary>
/// Valid: the switch issued this receipt; status says whether the payment still stands (approved) or was reversed.
/// Invalid: no such receipt (a wrong code and an unknown reference are not told apart); the other fields are null.
/// </summary>
public sealed record ReceiptVerifyBody(string Reference, bool Valid, string? Status, string? Amount, string? Currency, string? BillerCode, string? Date)
{
    public static ReceiptVerifyBody Invalid(string reference) => new(reference, false, null, null, null, null, null);
}
