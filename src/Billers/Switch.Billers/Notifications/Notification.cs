using Switch.Monetary;

namespace Switch.Billers.Notifications;

public enum NotificationKind
{
    Payment,
    Reversal,

    /// <summary>An approval that became the 91 its bank heard after its commit: the biller must undo the payment if it applied it.</summary>
    Cancellation,
}

/// <summary>A committed payment or applied reversal, as its biller is told of it (docs/biller-api.md, "Notifications").</summary>
/// <param name="SwitchReference">The idempotency key the biller dedupes on: the payment's, or the reversal's own.</param>
/// <param name="PaymentReference">The payment's switch reference (for a reversal, the payment it reverses).</param>
public sealed record BillerNotification(
    string Biller, long Sequence, NotificationKind Kind, string SwitchReference, string PaymentReference, string Bank,
    string AccountNumber, string? BillNumber, Money Amount, string Channel, DateTimeOffset CommittedAt)
{
    /// <summary>Notifications of one bill (or of one account, for a biller without bills) are delivered in sequence order.</summary>
    public string OrderKey => BillNumber ?? "account:" + AccountNumber;
}

/// <summary>What one notification answer said, by sequence number.</summary>
public enum NotificationAnswer
{
    Accepted,
    Duplicate,
    Rejected,
}

/// <summary>How the switch reaches a biller's system: the biller_adapters row, its signing key opened.</summary>
public sealed record BillerAdapterSettings(
    string Biller, Uri Endpoint, byte[]? SigningKey, string PostingMode, int RatePerSecond, int MaxInFlight, int BatchSize, TimeSpan Timeout, bool Notify);

/// <summary>A notification the operator queue lists: parked after failing for longer than the maximum age.</summary>
public sealed record ParkedNotification(
    string Biller, long Sequence, NotificationKind Kind, string SwitchReference, Money Amount, DateTimeOffset CommittedAt, DateTimeOffset ParkedAt, string? LastError);

/// <summary>Counts of one biller's notifications by state, and the last sequence number given.</summary>
/// <param name="Delivered">Acknowledged by the biller, <paramref name="Rejected"/> of them as exceptions.</param>
public sealed record NotificationCounts(string Biller, long Pending, long Delivered, long Parked, long Rejected, long LastSequence);

/// <summary>A read of a biller's pending notifications, with when an operator last retried its parked ones.</summary>
public sealed record PendingNotifications(List<BillerNotification> Rows, DateTimeOffset? RetriedAt);
