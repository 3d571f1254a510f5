using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Money;
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
            var currency = RestFormat.CurrencyOf(original.Currency);
            var given = MoneyText.TryParse(request.Amount, currency, out amount);
            if (request.Amount is null || request.Currency is null || given == AmountProblem.Malformed)
            {
                return Problems.For(ResponseCodes.FormatError, "amount and currency go together, the amount a decimal string such as \"395.95\"", http);
            }

            if (request.Currency != currency.Alpha || given != AmountProblem.None)
            {
                return Problems.For(ResponseCodes.InvalidAmount, $"the payment was {MoneyText.Format(original.Amount, currency)} {currency.Alpha}", http);
            }
        }

        // As for a payment: once started, the reversal runs to its end even if its answer is too late or the bank hangs up.
        var reply = await flow.ReverseAsync(new ReversePayment(original.Key, original.Key, amount), CancellationToken.None).WaitAsync(http.Deadline());
        return reply.Approved
            ? TypedResults.Ok(new ReversalBody(paymentId, "reversed", reply.ResponseCode))
            : Problems.For(reply.ResponseCode, reply.ResponseCode == ResponseCodes.NotPermitted ? "the reversal time limit has passed" : null, http);
    }
}
