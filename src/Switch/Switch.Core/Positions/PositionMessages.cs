namespace Switch.Positions;

/// <summary>Messages to a bank's position actor; every one names the bank, which is how sharding routes it.</summary>
public interface IPositionMessage
{
    string Bank { get; }
}

/// <param name="Deadline">When the caller stops waiting: a request still queued then is not granted.</param>
public sealed record Reserve(string Bank, string Payment, long Amount, DateTimeOffset Deadline) : IPositionMessage;

public sealed record Confirm(string Bank, string Payment) : IPositionMessage;

public sealed record Release(string Bank, string Payment) : IPositionMessage;

public sealed record ReverseCommitted(string Bank, long Amount) : IPositionMessage;

public sealed record GetPosition(string Bank) : IPositionMessage;

/// <summary>Read the bank's cap again and apply it; answered with <see cref="CapApplied"/> once applied.</summary>
public sealed record RefreshCap(string Bank) : IPositionMessage;

/// <summary>The answer to <see cref="Reserve"/>: CapExceeded is 51.</summary>
public sealed record Reservation(string Payment, ReserveOutcome Outcome)
{
    public bool Granted => Outcome == ReserveOutcome.Granted;
}

public sealed record PositionSnapshot(string Bank, long Cap, long Committed, long Reserved);

/// <summary>The cap the bank's position actor now enforces.</summary>
public sealed record CapApplied(string Bank, long Cap);

/// <summary>The journal as the position actors see it: where a position starts from, and what settles a reservation nobody settled.</summary>
public interface IPositionSource
{
    /// <summary>
    /// The bank's cap and committed total, and which of <paramref name="references"/> are its approved payments,
    /// all in one snapshot. An unknown bank has a cap of zero.
    /// </summary>
    Task<JournalPosition> ReadAsync(string bank, IReadOnlyCollection<string> references, CancellationToken cancellationToken);

    /// <summary>Every bank's cap, and whether its position actor has acknowledged it: one cheap query for all banks.</summary>
    Task<IReadOnlyList<BankCap>> CapsAsync(CancellationToken cancellationToken);

    /// <summary>Records that the bank's position actor enforces <paramref name="cap"/> (nothing if the cap has changed again since).</summary>
    Task AcknowledgeCapAsync(string bank, long cap, CancellationToken cancellationToken);
}

/// <summary>A bank's cap in the database; not acknowledged when no position actor has said it enforces it since it last changed.</summary>
public sealed record BankCap(string Bank, long Cap, bool Acknowledged);

/// <summary>The flow's view of the position actors, wherever in the cluster they run.</summary>
public interface IPositions
{
    /// <summary>
    /// False when the bank's net debit cap would be exceeded (51); a TimeoutException past <paramref name="deadline"/>.
    /// <paramref name="amount"/> is minor units: a bank has no settlement currency of its own yet, and its cap and the
    /// journal's committed total count minor units whatever the payment's currency, so a position stays a plain number.
    /// </summary>
    Task<bool> ReserveAsync(string bank, string reservation, long amount, DateTimeOffset deadline, CancellationToken cancellationToken);

    void Confirm(string bank, string reservation);

    void Release(string bank, string reservation);

    /// <summary>A committed payment was reversed: the bank's position goes down by its amount.</summary>
    void Reverse(string bank, long amount);
}
