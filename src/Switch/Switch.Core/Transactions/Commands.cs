using Switch.Billing;
using Switch.Monetary;

namespace Switch.Transactions;

/// <summary>
/// A request's idempotency key, per bank: ISO 8583 fields 32 + 37 + 13, or the REST Idempotency-Key header
/// (then <see cref="LocalDate"/> is empty). The bank comes from the credential, never from the message body.
/// </summary>
public readonly record struct RequestKey(string Bank, string Reference, string LocalDate);

/// <summary>The one command set both edges translate into: ISO 8583 and REST.</summary>
public abstract record Command(RequestKey Key);

/// <summary>Ask for a bill: ISO 0100 with 3=310000, or REST GET.</summary>
public sealed record InquireBill(RequestKey Key, string BillerCode, string AccountNumber, string? BillNumber, Channel Channel)
    : Command(Key);

/// <summary>Pay a bill: ISO 0200 with 3=500000 (fields 4 and 49), or REST POST. The edge refuses a currency the switch does not know.</summary>
public sealed record PayBill(
    RequestKey Key, string BillerCode, string AccountNumber, string? BillNumber, Channel Channel, Money Amount, string? PayerAccount)
    : Command(Key)
{
    /// <summary>The 0200's fields 11 and 7, journaled so that a reversal's field 90 can be checked against them; null over REST.</summary>
    public IsoTrace? Trace { get; init; }
}

/// <summary>
/// Reverse an earlier payment of the same bank: ISO 0420/0421 (an advice: the bank has reversed on its side), or REST.
/// Amount is what the bank reversed, which should be the original amount: minor units of the original's currency, as
/// ISO field 4 of a 0420 carries it without a field 49. <paramref name="OriginalTrace"/> is what
/// field 90 names of the original 0200 (its 11 and 7); null over REST.
/// </summary>
public sealed record ReversePayment(RequestKey Key, RequestKey Original, long Amount, Edge Edge, IsoTrace? OriginalTrace = null) : Command(Key);

/// <summary>An ISO 8583 request's STAN (field 11) and transmission date and time (field 7, MMDDhhmmss).</summary>
public readonly record struct IsoTrace(string Stan, string TransmittedAt);

/// <summary>The edge a request came by.</summary>
public enum Edge { Iso, Rest }
