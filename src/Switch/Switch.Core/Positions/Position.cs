using System.Collections.Immutable;

namespace Switch.Positions;

/// <summary>
/// A bank's net debit position against the cap the central bank set, as its single writer (the bank's position
/// actor) holds it. A payment first reserves its amount; the reservation is confirmed once the payment is
/// committed, or released when it is not. Reserved and committed together never exceed the cap (guarantee 5).
/// Every operation is keyed by payment, so a repeat changes nothing. A reservation that neither comes by its
/// settle-by time is overdue: the journal decides it (<see cref="Reconcile"/>).
/// </summary>
public sealed record Position(string Bank, long Cap, long Committed)
{
    public static Position Empty(string bank, long cap) => new(bank, cap, 0);

    /// <summary>Amounts held for payments not yet committed, by payment.</summary>
    public ImmutableDictionary<string, Held> Reservations { get; private init; } = ImmutableDictionary<string, Held>.Empty;

    /// <summary>The sum of <see cref="Reservations"/>, kept as it changes: summing hundreds of them on every reservation was the actor's main cost.</summary>
    public long Reserved { get; private init; }

    public long Exposure => Committed + Reserved;

    /// <summary>
    /// Reserves <paramref name="amount"/> for the payment until <paramref name="settleBy"/>; CapExceeded (51) when the
    /// cap would be exceeded, TooLate when its caller's <paramref name="deadline"/> has passed (nobody would hear the grant).
    /// </summary>
    public (Position Next, ReserveOutcome Outcome) Reserve(string payment, long amount, DateTimeOffset deadline, DateTimeOffset settleBy, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        if (Reservations.ContainsKey(payment))
        {
            return (this, ReserveOutcome.Granted);
        }

        if (now >= deadline)
        {
            return (this, ReserveOutcome.TooLate);
        }

        return Exposure > Cap - amount
            ? (this, ReserveOutcome.CapExceeded)
            : (this with { Reservations = Reservations.Add(payment, new Held(amount, settleBy)), Reserved = Reserved + amount }, ReserveOutcome.Granted);
    }

    public bool Holds(string payment) => Reservations.ContainsKey(payment);

    /// <summary>The payment is durable: its reservation becomes committed.</summary>
    public Position Confirm(string payment) =>
        Reservations.TryGetValue(payment, out var held)
            ? this with { Committed = Committed + held.Amount, Reservations = Reservations.Remove(payment), Reserved = Reserved - held.Amount }
            : this;

    /// <summary>The payment was declined or failed: its reservation is given back.</summary>
    public Position Release(string payment) =>
        Reservations.TryGetValue(payment, out var held)
            ? this with { Reservations = Reservations.Remove(payment), Reserved = Reserved - held.Amount }
            : this;

    /// <summary>A committed payment was reversed: the bank owes that much less.</summary>
    public Position Reverse(long amount) => this with { Committed = Committed - amount };

    /// <summary>The cap changed (central bank decision); existing exposure stays, new reservations obey the new cap.</summary>
    public Position WithCap(long cap) => this with { Cap = cap };

    /// <summary>Whether any reservation is past its settle-by time: nobody is coming to confirm or release it.</summary>
    public bool AnyOverdue(DateTimeOffset now) => Reservations.Values.Any(h => h.SettleBy <= now);

    /// <summary>
    /// Takes what the journal said in one snapshot, asked about <paramref name="asked"/> (every reservation held when
    /// the question was sent, nothing changed since, plus references the actor heard of but does not hold). The
    /// journal's committed total already counts every approval in it, so a held reservation it approved is settled as
    /// confirmed without adding its amount again; an overdue one it does not hold approved is released (its payment
    /// was never committed); the rest keep waiting. Returns how each settled reference ended (true: confirmed).
    /// </summary>
    public (Position Next, ImmutableDictionary<string, bool> Settled) Reconcile(JournalPosition journal, IReadOnlyCollection<string> asked, DateTimeOffset now)
    {
        var reservations = Reservations.ToBuilder();
        var settled = ImmutableDictionary.CreateBuilder<string, bool>();
        foreach (var payment in asked)
        {
            var approved = journal.Approved.Contains(payment);
            if (!reservations.TryGetValue(payment, out var held))
            {
                settled[payment] = approved;
            }
            else if (approved || held.SettleBy <= now)
            {
                reservations.Remove(payment);
                settled[payment] = approved;
            }
        }

        var kept = reservations.ToImmutable();
        return (this with { Cap = journal.Cap, Committed = journal.Committed, Reservations = kept, Reserved = kept.Values.Sum(h => h.Amount) }, settled.ToImmutable());
    }
}

/// <summary>A reservation: its amount, and when the journal decides it if its payment's flow has not.</summary>
public readonly record struct Held(long Amount, DateTimeOffset SettleBy);

public enum ReserveOutcome
{
    Granted,

    /// <summary>The net debit cap would be exceeded (51).</summary>
    CapExceeded,

    /// <summary>The request waited past its caller's deadline: granting it would hold money nobody will confirm.</summary>
    TooLate,
}

/// <summary>
/// A bank's position as the journal has it, read in one snapshot: the cap, the committed total (approved, not
/// reversed) and which of the references asked about are approved payments of this bank.
/// </summary>
public sealed record JournalPosition(long Cap, long Committed, IReadOnlySet<string> Approved);
