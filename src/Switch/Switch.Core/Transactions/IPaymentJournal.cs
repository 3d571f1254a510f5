using Switch.Billing;

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
    long Amount,
    int Currency,
    Channel Channel,
    string ResponseCode,
    string? SwitchReference,
    string? ApprovalCode);

/// <summary>Written: this entry is now durable. Duplicate: the key was already journaled, by this entry's twin or another request.</summary>
public enum JournalOutcome { Written, Duplicate }

/// <summary>
/// The system of record for payments. <see cref="AppendAsync"/> completes only after the entry is committed,
/// so an approval may be sent when it returns Written (guarantee 1); the store's unique key is the last word on
/// duplicates (guarantee 2).
/// </summary>
public interface IPaymentJournal
{
    Task<JournalOutcome> AppendAsync(JournalEntry entry, CancellationToken cancellationToken);

    /// <summary>The entry journaled under this key, to answer a repeat with the first answer.</summary>
    Task<JournalEntry?> FindAsync(RequestKey key, CancellationToken cancellationToken);
}
