using System.Globalization;

namespace Switch.Monetary;

/// <summary>Why an amount's text was refused: it is not a plain decimal at all (30), or it is one no payment can carry (13).</summary>
public enum AmountProblem { None, Malformed, Invalid }

/// <summary>
/// Amounts as text in the currency's major unit ("395.95", JOD "1.250"), to and from integer minor units.
/// Only digits with an optional point and fraction are read: no sign, exponent, spaces or grouping, so no amount
/// is ever guessed; the value never passes through floating point.
/// </summary>
public static class MoneyText
{
    private const int MaxIntegerDigits = 15;

    /// <summary>Reads <paramref name="text"/> as an amount in <paramref name="currency"/>; <paramref name="minor"/> is set when the problem is None.</summary>
    public static AmountProblem TryParse(string? text, Currency currency, out long minor)
    {
        minor = 0;
        if (string.IsNullOrEmpty(text))
        {
            return AmountProblem.Malformed;
        }

        // A minus sign is a readable amount that can never be paid: refused like zero, not as unreadable.
        var negative = text[0] == '-';
        var digits = negative ? text.AsSpan(1) : text.AsSpan();
        var point = digits.IndexOf('.');
        var whole = point < 0 ? digits : digits[..point];
        var fraction = point < 0 ? [] : digits[(point + 1)..];
        if (whole.IsEmpty || (point >= 0 && fraction.IsEmpty) || !AllDigits(whole) || !AllDigits(fraction))
        {
            return AmountProblem.Malformed;
        }

        if (negative || fraction.Length > currency.Decimals || whole.TrimStart('0').Length > MaxIntegerDigits)
        {
            return AmountProblem.Invalid;
        }

        var value = long.Parse(whole, NumberStyles.None, CultureInfo.InvariantCulture);
        for (var i = 0; i < currency.Decimals; i++)
        {
            value = (value * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
        }

        minor = value;
        return AmountProblem.None;
    }

    /// <summary>Minor units as text with exactly the currency's decimals: 39595 SAR is "395.95", 1250 JOD is "1.250".</summary>
    public static string Format(long minor, Currency currency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minor);
        var text = minor.ToString(CultureInfo.InvariantCulture).PadLeft(currency.Decimals + 1, '0');
        return currency.Decimals == 0 ? text : $"{text[..^currency.Decimals]}.{text[^currency.Decimals..]}";
    }

    private static bool AllDigits(ReadOnlySpan<char> text) => !text.ContainsAnyExcept("0123456789");
}
