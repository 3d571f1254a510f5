using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Monetary;
using Switch.Transactions;

namespace Switch.Host.Rest;

/// <summary>
/// /api/v1/payments: pay (ISO 0200), look up by paymentId or Idempotency-Key, reverse (ISO 0420). The idempotency key is
/// the bank's Idempotency-Key with an empty local date, so it can never meet an ISO 8583 key (32 + 37 + 13).
/// </summary>
public static class PaymentsApi
{
    public static RouteGroupBuilder MapPaymentsApi(this RouteGroupBuilder api)
    {
        var payments = api.MapGroup("/payments").WithTags("Payments");
        payments.MapPost("/", PayAsync).WithName("Pay").DocumentsJsonBody<PaymentRequest>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        payments.MapGet("/{paymentId}", PaymentLookups.ByIdAsync).WithName("GetPayment").ProducesProblem(StatusCodes.Status404NotFound);
        payments.MapGet("/", PaymentLookups.ByIdempotencyKeyAsync).WithName("FindPaymentByIdempotencyKey")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        payments.MapPost("/{paymentId}/reversal", Reversals.ReverseAsync).WithName("ReversePayment").DocumentsJsonBody<ReversalRequest>(required: false)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    /// <summary>Whether <paramref name="key"/> is a valid Idempotency-Key: 1 to 64 of A-Z a-z 0-9 . _ : -</summary>
    public static bool IsIdempotencyKey(string? key) => key is not null && RestInput.Problem("Idempotency-Key", key, RestInput.IdempotencyKey) is null;

    private static async Task<Results<Created<PaymentBody>, ProblemHttpResult>> PayAsync(
        HttpContext http, TransactionFlow flow, Settlement.Calendar.BusinessCalendar calendar, TimeProvider time)
    {
        var idempotencyKey = http.Request.Headers["Idempotency-Key"].ToString();
        if (!IsIdempotencyKey(idempotencyKey))
        {
            return Problems.For(ResponseCodes.FormatError, "header Idempotency-Key is required: 1 to 64 characters of A-Z a-z 0-9 . _ : -", http);
        }

        var (request, problem) = await RestJson.ReadAsync<PaymentRequest>(http.Request, RestInput.Problem);
        if (request is null)
        {
            return problem!;
        }

        var bank = http.CallingBank().Code;
        if (Translate(request, new RequestKey(bank, idempotencyKey, "")) is not { } payment)
        {
            return Refusal(request, idempotencyKey, http);
        }

        // Once started, a payment runs to its end even if its answer is too late or the bank hangs up; its repeat finds it.
        var reply = await flow.PayAsync(payment, http.ReceivedAt(), CancellationToken.None).WaitAsync(http.Deadline());
        if (!reply.FirstAnswer && reply.ResponseCode != ResponseCodes.Duplicate)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
        }

        if (reply.Approved)
        {
            var body = new PaymentBody(reply.SwitchReference, "approved", reply.ResponseCode, reply.ApprovalCode, reply.ReceiptCode, payment.BillerCode,
                payment.AccountNumber, payment.Amount.Format(), payment.Amount.Currency.Alpha, reply.Fee.Format(),
                RestFormat.Name(payment.Channel), idempotencyKey,
                calendar.SettlementDate(SwitchReferences.MadeAt(reply.SwitchReference!) ?? time.GetUtcNow()));
            return TypedResults.Created($"/api/v1/payments/{reply.SwitchReference}", body);
        }

        return reply.ResponseCode == ResponseCodes.Duplicate
            ? Problems.For(ResponseCodes.Duplicate, "this Idempotency-Key was used for a payment with other content", http)
            : Problems.ForPayment(reply.ResponseCode, null, idempotencyKey);
    }

    /// <summary>The command in the request, or null when a field is missing or an amount unreadable (see <see cref="Refusal"/>).</summary>
    private static PayBill? Translate(PaymentRequest request, RequestKey key) =>
        request is { BillerCode: { } biller, AccountNumber: { } account }
        && RestFormat.ParseChannel(request.Channel) is { } channel
        && Currency.FromAlpha(request.Currency) is { } currency
        && Money.TryParse(request.Amount, currency, out var amount) == AmountProblem.None
            ? new PayBill(key, biller, account, request.BillNumber, channel, amount, request.PayerAccount)
            : null;

    /// <summary>Why a request could not become a payment: 30 for what is missing or unreadable, 13 for an amount no payment can carry.</summary>
    private static ProblemHttpResult Refusal(PaymentRequest request, string idempotencyKey, HttpContext http)
    {
        if (request.BillerCode is null || request.AccountNumber is null || request.Amount is null || request.Currency is null)
        {
            return Problems.For(ResponseCodes.FormatError, "billerCode, accountNumber, channel, amount and currency are required", http);
        }

        if (RestFormat.ParseChannel(request.Channel) is null)
        {
            return Problems.For(ResponseCodes.FormatError, "channel must be one of ATM, IB, MB, BR, POS, KSK", http);
        }

        if (Currency.FromAlpha(request.Currency) is not { } currency)
        {
            return Problems.ForPayment(ResponseCodes.InvalidAmount, "the currency is not one the switch settles (SAR, JOD, SYP)", idempotencyKey);
        }

        return Money.TryParse(request.Amount, currency, out _) == AmountProblem.Malformed
            ? Problems.For(ResponseCodes.FormatError, $"amount must be a decimal string such as \"395.95\", in {currency.Alpha}", http)
            : Problems.ForPayment(ResponseCodes.InvalidAmount, $"amount must be positive with at most {currency.Decimals} decimals in {currency.Alpha}", idempotencyKey);
    }
}
