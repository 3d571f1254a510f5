using Switch.Billing;
using Switch.Monetary;

namespace Switch.Transactions;

/// <summary>
/// A payment's final answer as the journal keeps it. <see cref="Fingerprint"/> is a hash of the request's
/// content, so a repeat of the key with other content can be told apart (94).
/// </summary>
public sealed record JournalEntry(
    RequestKey Key,
    byte[] Fingerprint,
    string BillerCode,
    string AccountNumber,
    long? BillId,
    Money Amount,
    Channel Channel,
    string ResponseCode,
    string? SwitchReference,
    string? ApprovalCode)
{
    /// <summary>The ISO 8583 0200's fields 11 and 7, which a reversal's field 90 must name; null for a REST payment.</summary>
    public IsoTrace? Trace { get; init; }
}

/// <summary>
/// Written: this entry is now durable. Duplicate: the key was already journaled, by this entry's twin or another
/// request. TooLate: the approval was still waiting to be written when its time was up, so it was journaled as the
/// 91 its bank was answered instead. Refused: the approval may no longer stand (its bill was paid or its rule no longer
/// allows the amount, or its bank's cap would be passed, as decided inside the commit whichever node committed before
/// it); it was journaled with its decline code instead.
/// </summary>
public enum JournalOutcome { Written, Duplicate, TooLate, Refused }

/// <summary>
/// The system of record for payments. <see cref="AppendAsync"/> completes only after the entry is committed,
/// so an approval may be sent when it returns Written (guarantee 1); the store's unique key is the last word on
/// duplicates (guarantee 2).
/// </summary>
public interface IPaymentJournal
{
    /// <param name="deadline">
    /// After its <see cref="Deadline.ApproveBy"/> (by the journal's clock, inside the commit) an approval is no longer written
    /// as such: the bank is being answered 91. One committed after its <see cref="Deadline.AnswerBy"/> is declined later.
    /// </param>
    Task<JournalOutcome> AppendAsync(JournalEntry entry, Deadline deadline, CancellationToken cancellationToken);

    /// <summary>
    /// Turns the approval under <paramref name="key"/> into the 91 its bank was answered because its commit finished
    /// too late, giving its bill the amount back (a cancelled bill stays cancelled). False when there is no such
    /// approval without an applied reversal. Durable when it returns.
    /// </summary>
    Task<bool> DeclineLateApprovalAsync(RequestKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Records the reversal of the approved payment under its original key, once: applied (its bill gets the amount back,
    /// a cancelled bill stays cancelled, the bank's committed position goes down) when it is for the payment's amount and
    /// no later than <paramref name="timeLimit"/> after it, else as an exception with its reason. A repeat with the same
    /// amount changes nothing and finds what was recorded; with another amount it is OtherContent. NotFound when there is
    /// no such approval, or when the reversal names the original's STAN and field 7 and the payment journaled others.
    /// Durable when it returns.
    /// </summary>
    Task<ReversalResult> ReverseAsync(ReversalEntry reversal, TimeSpan timeLimit, CancellationToken cancellationToken);

    /// <summary>The reversals recorded as exceptions, oldest first, of one bank or biller or all: the reversal report.</summary>
    Task<IReadOnlyList<ReversalException>> ListReversalExceptionsAsync(string? bank, string? biller, CancellationToken cancellationToken);

    /// <summary>The entry journaled under this key, to answer a repeat with the first answer.</summary>
    Task<JournalEntry?> FindAsync(RequestKey key, CancellationToken cancellationToken);

    /// <summary>The entry journaled under this key and what became of it, or null.</summary>
    Task<PaymentRecord?> FindRecordAsync(RequestKey key, CancellationToken cancellationToken);

    /// <summary>
    /// The payment of <paramref name="bank"/> with this switch reference (only approvals have one) and what became of it,
    /// or null: another bank's payment is not found, so no bank can see or act on another's.
    /// </summary>
    Task<PaymentRecord?> FindByReferenceAsync(string bank, string switchReference, CancellationToken cancellationToken);
}
