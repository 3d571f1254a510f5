using Switch.Monetary;

namespace Switch.Settlement.Netting;

/// <summary>
/// What one paying bank's customers paid one biller in a window, and what was reversed of it (reversals in the
/// window, whichever window held their payment).
/// </summary>
public sealed record WindowFlow(string PayingBank, string Biller, Money Paid, Money Reversed);

/// <summary>Whom a net position belongs to: a bank (paying, or settling for billers), or a biller with no settlement bank named.</summary>
public readonly record struct Participant(string Kind, string Code)
{
    public static Participant Bank(string code) => new("bank", code);

    public static Participant Biller(string code) => new("biller", code);

    public override string ToString() => $"{Kind}:{Code}";
}

/// <summary>
/// A participant's multilateral net position in a window: what it owes (debit: its customers' payments, and reversals
/// of payments to the billers it settles for) against what it is owed (credit: payments to those billers, and
/// reversals of its customers' payments).
/// Net is credit less debit: negative, it pays in at settlement; positive, it is paid out.
/// </summary>
public sealed record NetPosition(Participant Participant, Money Debit, Money Credit)
{
    public Money Net => Credit - Debit;
}

/// <summary>The net positions of a window and the proof that they balance: debits equal credits, nets sum to zero.</summary>
public sealed record WindowNetting(Currency Currency, IReadOnlyList<NetPosition> Positions)
{
    public Money TotalDebit => Sum(p => p.Debit);

    public Money TotalCredit => Sum(p => p.Credit);

    public Money NetSum => Sum(p => p.Net);

    private Money Sum(Func<NetPosition, Money> part) => Positions.Aggregate(Money.Zero(Currency), (total, p) => total + part(p));
}

/// <summary>Multilateral netting: pure, exact (integer minor units), balanced by construction.</summary>
public static class NetPositions
{
    /// <summary>
    /// Nets a window's flows: each paying bank is debited what its customers paid and credited what was reversed; the
    /// bank that settles for each biller (<paramref name="settlementBankOf"/>; the biller itself when it names none) the
    /// other way round. Every amount is booked once on each side, so the nets sum to zero. Banks first, in code order.
    /// </summary>
    public static WindowNetting Net(Currency currency, IEnumerable<WindowFlow> flows, Func<string, string?> settlementBankOf)
    {
        var debits = new Dictionary<Participant, long>();
        var credits = new Dictionary<Participant, long>();
        foreach (var flow in flows)
        {
            if (flow.Paid.Currency != currency || flow.Reversed.Currency != currency)
            {
                throw new ArgumentException($"A flow in {flow.Paid.Currency.Alpha} cannot be netted in a {currency.Alpha} window.", nameof(flows));
            }

            var payer = Participant.Bank(flow.PayingBank);
            var payee = settlementBankOf(flow.Biller) is { } bank ? Participant.Bank(bank) : Participant.Biller(flow.Biller);
            // A payment moves money from the payer to the payee, a reversal back: each amount is booked once on each side.
            Book(debits, payer, flow.Paid.Minor);
            Book(credits, payee, flow.Paid.Minor);
            Book(debits, payee, flow.Reversed.Minor);
            Book(credits, payer, flow.Reversed.Minor);
        }

        var positions = debits.Keys.Union(credits.Keys)
            .OrderBy(p => p.Kind, StringComparer.Ordinal).ThenBy(p => p.Code, StringComparer.Ordinal)
            .Select(p => new NetPosition(p, new Money(debits.GetValueOrDefault(p), currency), new Money(credits.GetValueOrDefault(p), currency)))
            .ToList();
        return new WindowNetting(currency, positions);
    }

    private static void Book(Dictionary<Participant, long> side, Participant participant, long amount) =>
        side[participant] = checked(side.GetValueOrDefault(participant) + amount);
}
