using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Monetary;
using Switch.Transactions;

namespace Switch.Host.Rest;

/// <summary>POST /api/v1/payments/{paymentId}/reversal: the ISO 0420 over REST, for the caller's own approved payments.</summary>
public static class Reversals
{
    public static async Task<Results<Ok<ReversalBody>, ProblemHttpResult>> ReverseAsync(string paymentId, HttpContext http, TransactionFlow flow)
    {
        var (request, problem) = await RestJson.ReadAsync<ReversalRequest>(http.Request, RestInput.Problem, optional: true);
        if (problem is not null)
        {
            return problem;
        }

        if (await flow.FindPaymentAsync(http.CallingBank().Code, paymentId, http.Deadline()) is not { Status: not PaymentStatus.Declined } payment)
        {
            return Problems.For(ResponseCodes.OriginalNotFound, "this bank has no such approved payment", http);
        }

        var original = payment.Entry;
        var amount = original.Amount;
        if (request is { Amount: not null } || request is { Currency: not null })
        {
            var currency = original.Amount.Currency;
            var given = Money.TryParse(request.Amount, currency, out amount);
            if (request.Amount is null || request.Currency is null || given == AmountProblem.Malformed)
            {
                return Problems.For(ResponseCodes.FormatError, "amount and currency go together, the amount a decimal string such as \"395.95\"", http);
            }

            // A REST reversal is a request the switch may refuse: another amount is 13 and records nothing, where an
            // ISO 8583 advice of another amount is acknowledged and recorded as an exception.
            if (request.Currency != currency.Alpha || given != AmountProblem.None || amount != original.Amount)
            {
                return Problems.For(ResponseCodes.InvalidAmount, $"the payment was {original.Amount}", http);
            }
        }

        // As for a payment: once started, the reversal runs to its end even if its answer is too late or the bank hangs up.
        var reply = await flow.ReverseAsync(new ReversePayment(original.Key, original.Key, amount.Minor, Edge.Rest), CancellationToken.None).WaitAsync(http.Deadline());
        // A REST reversal is a request, not an advice: one the switch recorded as an exception (past the time limit) was
        // not applied, and the bank hears so.
        return reply switch
        {
            { Approved: true, ExceptionReason: null } => TypedResults.Ok(new ReversalBody(paymentId, "reversed", reply.ResponseCode)),
            { Approved: true } => Problems.For(ResponseCodes.NotPermitted, reply.ExceptionReason == ReversalReasons.PastTimeLimit
                ? "the reversal time limit has passed" : $"the payment can no longer be reversed ({reply.ExceptionReason})", http),
            _ => Problems.For(reply.ResponseCode, reply.ResponseCode == ResponseCodes.Duplicate ? "a reversal of this payment with another amount is recorded" : null, http),
        };
    }
}
