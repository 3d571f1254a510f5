namespace Switch.Transactions;

/// <summary>
/// Attempts at a payment key in progress, shared by every node: the cross-node half of the flow's per-key lock. An
/// attempt claims its key before it decides anything; another attempt at the key (a repeat sent to another node) then
/// knows the first may still commit, and waits for what it journals instead of being approved past it.
/// </summary>
public interface IPaymentClaims
{
    /// <summary>True when this attempt now holds the key; false while an attempt on another node holds it.</summary>
    Task<bool> ClaimAsync(RequestKey key, CancellationToken cancellationToken);

    /// <summary>Gives up the key this node's attempt held, once the attempt has ended (journaled or failed).</summary>
    void Release(RequestKey key);
}
