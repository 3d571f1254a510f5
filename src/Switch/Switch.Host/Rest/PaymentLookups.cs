using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Monetary;
using Switch.Settlement.Calendar;
using Switch.Transactions;

namespace Switch.Host.Rest;

/// <summary>GET /api/v1/payments/{paymentId} and ?idempotencyKey=: the caller's own payments only; another bank's is 404/25.</summary>
public static class PaymentLookups
{
    public static async Task<Results<Ok<PaymentBody>, ProblemHttpResult>> ByIdAsync(
        string paymentId, HttpContext http, TransactionFlow flow, BusinessCalendar calendar) =>
        await flow.FindPaymentAsync(http.CallingBank().Code, paymentId, http.Deadline()) is { } payment
            ? TypedResults.Ok(Body(payment, flow, calendar))
            : Problems.For(ResponseCodes.OriginalNotFound, "this bank has no such payment", http);

    public static async Task<Results<Ok<PaymentBody>, ProblemHttpResult>> ByIdempotencyKeyAsync(
        string? idempotencyKey, HttpContext http, TransactionFlow flow, BusinessCalendar calendar)
    {
        if (!PaymentsApi.IsIdempotencyKey(idempotencyKey))
        {
            return Problems.For(ResponseCodes.FormatError, "query parameter idempotencyKey is required: 1 to 64 characters of A-Z a-z 0-9 . _ : -", http);
        }

        return await flow.FindPaymentAsync(new RequestKey(http.CallingBank().Code, idempotencyKey!, ""), http.Deadline()) is { } payment
            ? TypedResults.Ok(Body(payment, flow, calendar))
            : Problems.For(ResponseCodes.OriginalNotFound, "this bank has made no payment with this Idempotency-Key", http);
    }

    /// <summary>
    /// The payment as the journal has it. A payment made over ISO 8583 has no Idempotency-Key (its key is fields 37 and 13),
    /// so idempotencyKey is null there.
    /// </summary>
    public static PaymentBody Body(PaymentRecord payment, TransactionFlow flow, BusinessCalendar calendar)
    {
        var entry = payment.Entry;
        return new PaymentBody(entry.SwitchReference, payment.Status.ToString().ToLowerInvariant(), entry.ResponseCode, entry.ApprovalCode,
            entry.SwitchReference is { } reference ? flow.ReceiptFor(reference) : null, entry.BillerCode, entry.AccountNumber,
            entry.Amount.Format(), entry.Amount.Currency.Alpha, Money.Zero(entry.Amount.Currency).Format(), RestFormat.Name(entry.Channel),
            entry.Key.LocalDate.Length == 0 ? entry.Key.Reference : null,
            payment.Status != PaymentStatus.Declined && entry.SwitchReference is { } made && SwitchReferences.MadeAt(made) is { } at ? calendar.SettlementDate(at) : null);
    }
}
