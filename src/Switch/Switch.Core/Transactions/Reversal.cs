using Switch.Monetary;

namespace Switch.Transactions;

/// <summary>
/// A reversal as the journal records it: its own switch reference, the original payment's key, and what the bank reversed,
/// in minor units of the payment's currency (a 0420 names no currency of its own).
/// </summary>
public sealed record ReversalEntry(string SwitchReference, RequestKey Original, long Amount, Edge Edge, IsoTrace? OriginalTrace);

/// <summary>
/// Applied: the payment is reversed (bill and position given back). Exception: recorded, acknowledged, not applied
/// (<see cref="ReversalResult.Reason"/> says why). NotFound: no approved payment under the key (or field 90 names
/// another 0200). OtherContent: a reversal of the payment is already recorded with another amount.
/// </summary>
public enum ReversalOutcome { Applied, Exception, NotFound, OtherContent }

/// <param name="Repeat">The reversal was already recorded with this content: this call changed nothing.</param>
public sealed record ReversalResult(ReversalOutcome Outcome, string? Reason = null, bool Repeat = false);

/// <summary>Why a reversal was recorded as an exception. An open set: later issues add theirs (a settled window, a biller's final postings).</summary>
public static class ReversalReasons
{
    public const string PastTimeLimit = "past_time_limit";
    public const string AmountDiffers = "amount_differs";
}

/// <summary>
/// A reversal the switch acknowledged but could not apply, as the reversal report lists it for its bank and biller:
/// what the bank reversed and what the payment was, both in the payment's currency.
/// </summary>
public sealed record ReversalException(
    string SwitchReference, RequestKey Original, string? PaymentReference, string BillerCode, Money Amount, Money PaymentAmount,
    string Reason, Edge Edge, DateTimeOffset RecordedAt);
