using System.Collections.Immutable;

namespace Switch.Positions;

/// <summary>
/// A bank's net debit position against the cap the central bank set, as its single writer (the bank's position
/// actor) holds it. A payment first reserves its amount; the reservation is confirmed once the payment is
/// committed, or released when it is not. Reserved and committed together never exceed the cap (guarantee 5).
/// Every operation is keyed by payment, so a repeat changes nothing.
/// </summary>
public sealed record Position(string Bank, long Cap, long Committed)
{
    public static Position Empty(string bank, long cap) => new(bank, cap, 0);

    /// <summary>Amounts held for payments not yet committed, by payment.</summary>
    public ImmutableDictionary<string, long> Reservations { get; private init; } = ImmutableDictionary<string, long>.Empty;

    /// <summary>The sum of <see cref="Reservations"/>, kept as it changes: summing hundreds of them on every reservation was the actor's main cost.</summary>
    public long Reserved { get; private init; }

    public long Exposure => Committed + Reserved;

    /// <summary>Reserves <paramref name="amount"/> for the payment; false (51) when the cap would be exceeded.</summary>
    public (Position Next, bool Reserved) Reserve(string payment, long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        if (Reservations.ContainsKey(payment))
        {
            return (this, true);
        }

        return Exposure > Cap - amount ? (this, false) : (this with { Reservations = Reservations.Add(payment, amount), Reserved = Reserved + amount }, true);
    }

    /// <summary>The payment is durable: its reservation becomes committed.</summary>
    public Position Confirm(string payment) =>
        Reservations.TryGetValue(payment, out var amount)
            ? this with { Committed = Committed + amount, Reservations = Reservations.Remove(payment), Reserved = Reserved - amount }
            : this;

    /// <summary>The payment was declined or failed: its reservation is given back.</summary>
    public Position Release(string payment) =>
        Reservations.TryGetValue(payment, out var amount)
            ? this with { Reservations = Reservations.Remove(payment), Reserved = Reserved - amount }
            : this;

    /// <summary>A committed payment was reversed: the bank owes that much less.</summary>
    public Position Reverse(long amount) => this with { Committed = Committed - amount };

    /// <summary>The cap changed (central bank decision); existing exposure stays, new reservations obey the new cap.</summary>
    public Position WithCap(long cap) => this with { Cap = cap };
}
