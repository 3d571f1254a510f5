using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Adapters.Postgres;
using Switch.Billers.Reconciliation;
using Switch.Billers.Registry;

namespace Switch.Host.Rest;

/// <summary>
/// /api/v1/biller: what a biller reaches with its own API key (role biller): its registry entry, its own bills and its
/// daily reconciliation (docs/reconciliation.md). The
/// biller is the key's, never a parameter: another biller's bill number is not found.
/// </summary>
public static class BillerPortalApi
{
    public static RouteGroupBuilder MapBillerPortalApi(this RouteGroupBuilder billers)
    {
        billers.MapGet("/profile", ProfileAsync).WithName("BillerProfile");
        billers.MapGet("/bills/{billNumber}", BillAsync).WithName("BillerGetBill").ProducesProblem(StatusCodes.Status404NotFound);
        billers.MapGet("/reconciliation/{day}", ReconciliationFileAsync).WithName("BillerReconciliationFile")
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesProblem(StatusCodes.Status400BadRequest);
        billers.MapPost("/reconciliation/{day}", ReconcileAsync).WithName("BillerReconcile")
            .Accepts<string>("text/csv").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return billers;
    }

    /// <summary>The largest file a biller may send back: a day of a large biller, some 300,000 lines.</summary>
    public const long MaxReconciliationBytes = 64L * 1024 * 1024;

    /// <summary>The switch's reconciliation file of the key's biller for a UTC day (yyyy-MM-dd), docs/reconciliation.md.</summary>
    private static async Task<IResult> ReconciliationFileAsync(string day, HttpContext http, PostgresReconciliation reconciliation)
    {
        if (!ReconciliationFile.TryParseDay(day, out var date))
        {
            return Problems.For(ResponseCodes.FormatError, "the day is yyyy-MM-dd (UTC)", http);
        }

        var entries = await reconciliation.DayAsync(http.Caller().Participant!, date, http.RequestAborted);
        return TypedResults.Text(ReconciliationFile.Write(entries), "text/csv", System.Text.Encoding.UTF8);
    }

    /// <summary>
    /// Compares the biller's own file of a day (the same CSV format) with the switch's: every difference (missing,
    /// extra, amount, status); a file with unreadable lines is refused whole with their numbers (400, 30).
    /// </summary>
    private static async Task<IResult> ReconcileAsync(string day, HttpContext http, PostgresReconciliation reconciliation)
    {
        if (!ReconciliationFile.TryParseDay(day, out var date))
        {
            return Problems.For(ResponseCodes.FormatError, "the day is yyyy-MM-dd (UTC)", http);
        }

        if (!string.Equals(http.Request.ContentType?.Split(';')[0].Trim(), "text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.WithStatus(ResponseCodes.FormatError, StatusCodes.Status415UnsupportedMediaType, "the biller's file is sent as Content-Type: text/csv (UTF-8)", http);
        }

        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxReconciliationBytes;
        }

        string text;
        try
        {
            using var body = new StreamReader(http.Request.Body, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true));
            text = await body.ReadToEndAsync(http.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            return Problems.For(ResponseCodes.FormatError, $"the file is at most {MaxReconciliationBytes / 1024 / 1024} MB", http);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return Problems.For(ResponseCodes.FormatError, "the file is not UTF-8 text", http);
        }

        var (theirs, errors, errorCount) = ReconciliationFile.Parse(text);
        if (errorCount > 0)
        {
            return TypedResults.Problem($"{errorCount} lines of the file cannot be read; nothing was compared", statusCode: StatusCodes.Status400BadRequest,
                title: ResponseCodes.Describe(ResponseCodes.FormatError), type: $"https://switch/problems/{ResponseCodes.FormatError}",
                extensions: new Dictionary<string, object?> { ["responseCode"] = ResponseCodes.FormatError, ["traceId"] = http.TraceIdentifier, ["lines"] = errors });
        }

        var ours = await reconciliation.DayAsync(http.Caller().Participant!, date, http.RequestAborted);
        var differences = ReconciliationFile.Compare(ours, theirs);
        return TypedResults.Ok(new ReconciliationBody(date, ours.Count, theirs.Count, differences));
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

public sealed record ReconciliationBody(DateOnly Day, int SwitchEntries, int BillerEntries, IReadOnlyList<ReconciliationDifference> Differences);

public sealed record BillerProfileBody(BillerDraft Definition, string Status, SettlementAccount? SettlementAccount);

public sealed record BillerBillBody(
    string BillNumber, string AccountNumber, string CustomerName, string AmountDue, string AmountPaid, string Currency, DateOnly DueDate, DateOnly? ExpiryDate, string Status);
