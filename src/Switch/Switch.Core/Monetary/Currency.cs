namespace Switch.Monetary;

/// <summary>An ISO 4217 currency: its alphabetic code (REST), numeric code (ISO 8583 field 49, the journal) and minor-unit decimals.</summary>
public sealed record Currency(string Alpha, int Numeric, int Decimals)
{
    private static readonly Currency[] Known = [new("SAR", 682, 2), new("JOD", 400, 3), new("SYP", 760, 2)];

    /// <summary>The currency with this alphabetic code (exact, upper case), or null when the switch does not know it.</summary>
    public static Currency? FromAlpha(string? alpha) => Array.Find(Known, c => c.Alpha == alpha);

    /// <summary>The currency with this numeric code, or null. Asked once per payment and journal row: a loop, no closure to allocate.</summary>
    public static Currency? FromNumeric(int numeric)
    {
        foreach (var currency in Known)
        {
            if (currency.Numeric == numeric)
            {
                return currency;
            }
        }

        return null;
    }

    /// <summary>
    /// The currency of an amount the switch holds (a biller, a bill, a journal row): only known currencies are ever stored,
    /// so another code there is a broken record, not input to refuse.
    /// </summary>
    public static Currency Stored(int numeric) =>
        FromNumeric(numeric) ?? throw new InvalidOperationException($"Currency {numeric} is stored but is not one the switch knows.");
}
