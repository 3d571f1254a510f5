namespace Switch.Transactions;

/// <summary>
/// What a node learns when it claims a payment's key: whether this attempt holds it, and, when another attempt does,
/// whether that attempt's answer-by has passed (by the store's clock), so it can no longer be approved.
/// </summary>
public readonly record struct KeyClaim(bool Ours, bool OtherOver);

/// <summary>
/// Attempts at a payment key, shared by every node: the cross-node half of the flow's per-key lock. An attempt claims
/// its key before it decides anything; another attempt at the key (a repeat sent to another node) then knows the first
/// may still commit, and waits for what it journals instead of being approved past it.
/// </summary>
public interface IPaymentClaims
{
    /// <param name="attempt">Names this attempt, so its own claim is told from another's.</param>
    Task<KeyClaim> ClaimAsync(RequestKey key, string attempt, Deadline deadline, CancellationToken cancellationToken);

    /// <summary>
    /// Gives the key up after an attempt that journaled nothing (it failed): a repeat may then try afresh. When the store
    /// cannot be reached, the key is given up as soon as it can be.
    /// </summary>
    Task ReleaseAsync(RequestKey key, string attempt, CancellationToken cancellationToken);
}
