using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Billing;
using Switch.Monetary;
using Switch.Transactions;

namespace Switch.Host.Rest;

/// <summary>GET /api/v1/billers/{billerCode}/accounts/{accountNumber}/bill: the inquiry (ISO 0100) over REST.</summary>
public static class BillsApi
{
    public static RouteGroupBuilder MapBillsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/billers/{billerCode}/accounts/{accountNumber}/bill", InquireAsync)
            .WithTags("Bills").WithName("InquireBill")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    private static async Task<Results<Ok<BillBody>, ProblemHttpResult>> InquireAsync(
        string billerCode, string accountNumber, string? channel, string? billNumber, HttpContext http, TransactionFlow flow, IBillerCatalog catalog)
    {
        if (RestFormat.ParseChannel(channel) is not { } payerChannel)
        {
            return Problems.For(ResponseCodes.FormatError, "query parameter channel is required: ATM, IB, MB, BR, POS or KSK", http);
        }

        var bank = http.CallingBank().Code;
        var deadline = http.Deadline();
        var reply = await flow.InquireAsync(new InquireBill(new RequestKey(bank, "", ""), billerCode, accountNumber, billNumber, payerChannel), deadline)
            .WaitAsync(deadline);
        if (!reply.Approved)
        {
            return Problems.For(reply.ResponseCode, reply.Maintenance is { } window
                ? $"the biller is in planned maintenance until {window.Until.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}; ask again after it" : null, http);
        }

        // Approved means the biller exists; the catalog answers from memory.
        var biller = (await catalog.FindAsync(billerCode, deadline))!;
        var currency = biller.Currency;
        if (reply.Bill is not { } bill)
        {
            // No bill: any amount from one minor unit up to the biller's per-transaction limit is accepted.
            return TypedResults.Ok(new BillBody(biller.Code, accountNumber, null, null, null, currency.Alpha, null, null,
                new Money(1, currency).Format(), biller.TransactionLimit.Format(), PaymentRule.Any.ToString().ToUpperInvariant(), 0,
                Money.Zero(currency).Format()));
        }

        return TypedResults.Ok(new BillBody(biller.Code, accountNumber, bill.BillNumber, bill.MaskedName, bill.AmountDue.Format(),
            currency.Alpha, bill.DueDate, bill.ExpiryDate, bill.Accepted.Minimum.Format(),
            bill.Accepted.Maximum.Format(), bill.Rule.ToString().ToUpperInvariant(), bill.OpenBills, bill.Fee.Format()));
    }
}
