using System.Globalization;

namespace Switch.Monetary;

/// <summary>
/// An amount: integer minor units of one ISO 4217 currency (39595 SAR is 395.95 SAR, 1250 JOD is 1.250 JOD).
/// Arithmetic and comparison only ever meet amounts of one currency: mixing two throws
/// <see cref="CurrencyMismatchException"/>, so a flow refuses another currency with its response code (13) before any
/// arithmetic. Overflow throws. A Money may be negative (a difference, a net position); where a sign matters it is
/// checked there, as <see cref="Billing.PaymentCheck"/> refuses a payment of zero or less (13).
/// </summary>
public readonly record struct Money : IComparable<Money>
{
    public Money(long minor, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        Minor = minor;
        Currency = currency;
    }

    public long Minor { get; }

    public Currency Currency { get; }

    public static Money Zero(Currency currency) => new(0, currency);

    public bool IsZero => Minor == 0;

    public bool IsPositive => Minor > 0;

    public bool IsNegative => Minor < 0;

    public static Money operator +(Money left, Money right)
    {
        var currency = SameCurrency(left, right, "add");
        return new(checked(left.Minor + right.Minor), currency);
    }

    public static Money operator -(Money left, Money right)
    {
        var currency = SameCurrency(left, right, "subtract");
        return new(checked(left.Minor - right.Minor), currency);
    }

    public static Money operator -(Money money) => new(checked(-money.Minor), money.Currency);

    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    public int CompareTo(Money other)
    {
        SameCurrency(this, other, "compare");
        return Minor.CompareTo(other.Minor);
    }

    public static Money Min(Money left, Money right) => left <= right ? left : right;

    public static Money Max(Money left, Money right) => left >= right ? left : right;

    /// <summary>The sum of <paramref name="amounts"/>, all in <paramref name="currency"/>: zero of it when there are none.</summary>
    public static Money Sum(Currency currency, IEnumerable<Money> amounts)
    {
        var total = Zero(currency);
        foreach (var amount in amounts)
        {
            total += amount;
        }

        return total;
    }

    /// <summary>The amount as text with exactly the currency's decimals ("395.95", JOD "1.250", "-0.05"), without the currency.</summary>
    public string Format()
    {
        var currency = Checked(this).Currency;
        if (Minor >= 0)
        {
            return MoneyText.Format(Minor, currency);
        }

        // The magnitude of long.MinValue is no long: format it through its unsigned twin.
        var magnitude = ((ulong)(-(Minor + 1)) + 1).ToString(CultureInfo.InvariantCulture).PadLeft(currency.Decimals + 1, '0');
        return currency.Decimals == 0 ? $"-{magnitude}" : $"-{magnitude[..^currency.Decimals]}.{magnitude[^currency.Decimals..]}";
    }

    /// <summary>Reads an amount as <see cref="MoneyText.TryParse"/> does (no sign: what a payer gives is never negative).</summary>
    public static AmountProblem TryParse(string? text, Currency currency, out Money money)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var problem = MoneyText.TryParse(text, currency, out var minor);
        money = new Money(minor, currency);
        return problem;
    }

    /// <summary>"395.95 SAR": for people and logs, never for a wire format.</summary>
    public override string ToString() => Currency is null ? "(no currency)" : $"{Format()} {Currency.Alpha}";

    /// <summary>The one currency of <paramref name="left"/> and <paramref name="right"/>; a mismatch throws before any arithmetic.</summary>
    private static Currency SameCurrency(Money left, Money right, string operation)
    {
        if (Checked(left).Currency != Checked(right).Currency)
        {
            throw new CurrencyMismatchException($"Cannot {operation} {left} and {right}: amounts of two currencies never meet.");
        }

        return left.Currency;
    }

    /// <summary>default(Money) has no currency: using it is a bug, not zero of some currency.</summary>
    private static Money Checked(Money money) =>
        money.Currency is null ? throw new InvalidOperationException("This Money was never given a currency (default(Money)).") : money;
}

/// <summary>Two amounts of different currencies met in arithmetic or a comparison: the caller should have refused one of them first.</summary>
public sealed class CurrencyMismatchException(string message) : InvalidOperationException(message);
