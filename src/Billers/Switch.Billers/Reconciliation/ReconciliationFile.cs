using System.Globalization;
using System.Text;
using Switch.Monetary;

namespace Switch.Billers.Reconciliation;

/// <summary>
/// One committed movement of a biller's money in a day: an approved payment (status approved, or reversed once an
/// applied reversal names it) or an applied reversal (status applied; its original's switch reference beside it).
/// </summary>
public sealed record ReconciliationEntry(
    string SwitchReference, string Kind, string Status, string? OriginalReference, string BankCode, string AccountNumber, string? BillNumber,
    Money Amount, DateTimeOffset CommittedAt);

/// <summary>A difference between the switch's entries and a biller's own list of the same day.</summary>
/// <param name="Kind">missing (the switch has it, the biller does not), extra (the biller has it, the switch does not),
/// amount, or status (kind or status differ).</param>
public sealed record ReconciliationDifference(string SwitchReference, string Kind, string? Ours, string? Theirs);

/// <summary>A line of a biller's file that could not be read, by its number (the header is line 1).</summary>
public sealed record ReconciliationLineError(int Line, string Problem);

/// <summary>
/// The daily reconciliation file of a biller (docs/reconciliation.md): CSV, UTF-8, a header and one line per entry, in
/// commit order. The same format comes back from the biller to be compared: the switch reference is the key; amounts
/// are decimal text with the currency's decimals. Values never contain commas or quotes (references, codes and account
/// numbers are letters, digits and hyphens), so a line is its values joined by commas.
/// </summary>
public static class ReconciliationFile
{
    public const string Header = "switch_reference,kind,status,original_reference,bank_code,account_number,bill_number,amount,currency,committed_at";

    /// <summary>The most lines a biller's file may have; a day of a large biller is well under it.</summary>
    public const int MaxLines = 2_000_000;

    /// <summary>Problems reported at most; the rest are counted.</summary>
    public const int MaxReported = 100;

    private static readonly string[] Kinds = ["payment", "reversal"];
    private static readonly string[] Statuses = ["approved", "reversed", "applied"];

    /// <summary>A reconciliation day as the API and the command take it: yyyy-MM-dd, a UTC calendar day.</summary>
    public static bool TryParseDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    public static string Write(IEnumerable<ReconciliationEntry> entries)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var e in entries)
        {
            text.Append(e.SwitchReference).Append(',').Append(e.Kind).Append(',').Append(e.Status).Append(',').Append(e.OriginalReference)
                .Append(',').Append(e.BankCode).Append(',').Append(e.AccountNumber).Append(',').Append(e.BillNumber)
                .Append(',').Append(e.Amount.Format()).Append(',').Append(e.Amount.Currency.Alpha)
                .Append(',').Append(e.CommittedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Reads a biller's file: its entries, or the problems of its lines (a file with any is compared not at all).</summary>
    public static (IReadOnlyList<ReconciliationEntry> Entries, IReadOnlyList<ReconciliationLineError> Errors, int ErrorCount) Parse(string text)
    {
        var entries = new List<ReconciliationEntry>();
        var errors = new List<ReconciliationLineError>();
        var errorCount = 0;
        void Problem(int line, string problem)
        {
            if (errorCount++ < MaxReported)
            {
                errors.Add(new ReconciliationLineError(line, problem));
            }
        }

        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length == 0 || lines[0].Trim() != Header)
        {
            Problem(1, $"the header must be: {Header}");
            return (entries, errors, errorCount);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var number = i + 1;
            if (lines[i].Length == 0)
            {
                continue;
            }

            if (i > MaxLines)
            {
                Problem(number, $"the file has more than {MaxLines} lines");
                break;
            }

            if (Read(lines[i], out var problem) is { } entry)
            {
                if (!seen.Add(entry.SwitchReference))
                {
                    Problem(number, $"switch_reference {entry.SwitchReference} is given twice");
                    continue;
                }

                entries.Add(entry);
            }
            else
            {
                Problem(number, problem!);
            }
        }

        return (entries, errors, errorCount);
    }

    /// <summary>
    /// Every difference between the switch's entries (<paramref name="ours"/>) and the biller's, by switch reference, in
    /// the order of the switch's entries, then the biller's extras in theirs.
    /// </summary>
    public static IReadOnlyList<ReconciliationDifference> Compare(IReadOnlyList<ReconciliationEntry> ours, IReadOnlyList<ReconciliationEntry> theirs)
    {
        var theirsByReference = theirs.ToDictionary(e => e.SwitchReference, StringComparer.Ordinal);
        var oursReferences = ours.Select(e => e.SwitchReference).ToHashSet(StringComparer.Ordinal);
        var differences = new List<ReconciliationDifference>();
        foreach (var our in ours)
        {
            if (!theirsByReference.TryGetValue(our.SwitchReference, out var their))
            {
                differences.Add(new(our.SwitchReference, "missing", Describe(our), null));
            }
            else if (our.Amount.Currency != their.Amount.Currency || our.Amount.Minor != their.Amount.Minor)
            {
                differences.Add(new(our.SwitchReference, "amount", our.Amount.ToString(), their.Amount.ToString()));
            }
            else if (our.Kind != their.Kind || our.Status != their.Status)
            {
                differences.Add(new(our.SwitchReference, "status", $"{our.Kind} {our.Status}", $"{their.Kind} {their.Status}"));
            }
        }

        differences.AddRange(theirs.Where(e => !oursReferences.Contains(e.SwitchReference)).Select(e => new ReconciliationDifference(e.SwitchReference, "extra", null, Describe(e))));
        return differences;
    }

    private static string Describe(ReconciliationEntry e) => $"{e.Kind} {e.Status} {e.Amount}";

    private static ReconciliationEntry? Read(string line, out string? problem)
    {
        var v = line.Split(',');
        problem = null;
        if (v.Length != 10)
        {
            problem = $"{v.Length} values, not 10";
            return null;
        }

        problem = !IsCode(v[0], 40) ? "switch_reference must be 1 to 40 letters, digits or hyphens"
            : !Kinds.Contains(v[1]) ? "kind must be payment or reversal"
            : !Statuses.Contains(v[2]) ? "status must be approved, reversed or applied"
            : v[3].Length > 0 && !IsCode(v[3], 40) ? "original_reference must be empty or 1 to 40 letters, digits or hyphens"
            : !IsCode(v[4], 11) ? "bank_code must be 1 to 11 letters or digits"
            : !IsCode(v[5], 40) ? "account_number must be 1 to 40 letters, digits or hyphens"
            : v[6].Length > 0 && !IsCode(v[6], 40) ? "bill_number must be empty or 1 to 40 letters, digits or hyphens"
            : Currency.FromAlpha(v[8]) is null ? "currency must be a currency the switch settles (SAR, JOD, SYP)"
            : null;
        if (problem is not null)
        {
            return null;
        }

        var currency = Currency.FromAlpha(v[8])!;
        if (Money.TryParse(v[7], currency, out var amount) != AmountProblem.None)
        {
            problem = $"amount must be a decimal with at most {currency.Decimals} decimals, such as {new Money(12_345, currency).Format()}";
            return null;
        }

        if (!DateTimeOffset.TryParse(v[9], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var committedAt))
        {
            problem = "committed_at must be an ISO 8601 time such as 2026-12-06T10:15:30Z";
            return null;
        }

        return new ReconciliationEntry(v[0], v[1], v[2], v[3].Length > 0 ? v[3] : null, v[4], v[5], v[6].Length > 0 ? v[6] : null, amount, committedAt);
    }

    private static bool IsCode(string value, int max) =>
        value.Length is > 0 && value.Length <= max && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
