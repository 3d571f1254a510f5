namespace Switch.Positions;

/// <summary>
/// The bank's position actor cannot be reached now: its node is unreachable or its shard is moving to another node.
/// A TimeoutException, so every edge answers it as it answers a timeout (91), but at once rather than at the deadline.
/// </summary>
public sealed class PositionUnavailableException(string bank)
    : TimeoutException($"The position of bank {bank} cannot be reached now (its node is unreachable or its shard is moving).")
{
    public string Bank { get; } = bank;
}
