namespace Switch.Positions;

/// <summary>Messages to a bank's position actor; every one names the bank, which is how sharding routes it.</summary>
public interface IPositionMessage
{
    string Bank { get; }
}

public sealed record Reserve(string Bank, string Payment, long Amount) : IPositionMessage;

public sealed record Confirm(string Bank, string Payment) : IPositionMessage;

public sealed record Release(string Bank, string Payment) : IPositionMessage;

public sealed record ReverseCommitted(string Bank, long Amount) : IPositionMessage;

public sealed record GetPosition(string Bank) : IPositionMessage;

/// <summary>The answer to <see cref="Reserve"/>: not granted means the net debit cap would be exceeded (51).</summary>
public sealed record Reservation(string Payment, bool Granted);

public sealed record PositionSnapshot(string Bank, long Cap, long Committed, long Reserved);

/// <summary>Where a position actor starts from: the bank's cap and what the journal says it has committed.</summary>
public interface IPositionSource
{
    Task<(long Cap, long Committed)> LoadAsync(string bank, CancellationToken cancellationToken);
}

/// <summary>The flow's view of the position actors, wherever in the cluster they run.</summary>
public interface IPositions
{
    /// <summary>False when the bank's net debit cap would be exceeded (51).</summary>
    Task<bool> ReserveAsync(string bank, string reservation, long amount, CancellationToken cancellationToken);

    void Confirm(string bank, string reservation);

    void Release(string bank, string reservation);

    /// <summary>A committed payment was reversed: the bank's position goes down by its amount.</summary>
    void Reverse(string bank, long amount);
}
