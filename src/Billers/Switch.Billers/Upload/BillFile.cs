using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switch.Monetary;

namespace Switch.Billers.Upload;

/// <summary>What a line of a bill file does: open (or replace) a bill, or cancel one.</summary>
public enum BillAction { Open, Cancel }

/// <summary>A valid line of a bill file, amounts in minor units of the biller's currency.</summary>
public sealed record BillLine(int Line, BillAction Action, string BillNumber, string AccountNumber, string CustomerName, long AmountDue, DateOnly DueDate, DateOnly? ExpiryDate);

/// <summary>
/// A bill file read and checked line by line: the valid lines, or the problems (the first <see cref="BillFile.MaxReported"/>
/// of them, each with its line number; <paramref name="ErrorCount"/> counts them all). A file with any problem is applied not at all.
/// </summary>
public sealed record BillFileResult(IReadOnlyList<BillLine> Lines, IReadOnlyList<string> Errors, int ErrorCount)
{
    public bool Valid => ErrorCount == 0;
}

/// <summary>
/// A biller's bill file, CSV (RFC 4180, UTF-8, a header naming the columns in any order) or JSON (<c>{"bills":[...]}</c>
/// with the same fields in camelCase). Columns: bill_number, account_number, customer_name, amount_due (a decimal string
/// such as 125.50), due_date and expiry_date (yyyy-MM-dd, expiry optional), action (open, the default, or cancel; a
/// cancel line needs only bill_number). Each value is checked against the biller's account pattern, currency and the
/// fields' limits; a bill number given twice is a problem of the second line.
/// </summary>
public static class BillFile
{
    public const int MaxLines = 2_000_000;
    public const int MaxReported = 100;

    private static readonly string[] Required = ["bill_number", "account_number", "customer_name", "amount_due", "due_date"];
    private static readonly string[] Known = [.. Required, "expiry_date", "action"];

    public static BillFileResult ParseCsv(string text, Regex accountPattern, Currency currency)
    {
        var checker = new Checker(accountPattern, currency);
        var reader = new CsvReader(text);
        if (reader.Next() is not { } header)
        {
            return checker.Fail(1, "the file is empty: the first line names the columns (bill_number, account_number, customer_name, amount_due, due_date, ...)");
        }

        var columns = header.Select(h => h.Trim().ToLowerInvariant()).ToList();
        if (columns.FirstOrDefault(c => !Known.Contains(c)) is { } unknown)
        {
            return checker.Fail(1, $"unknown column {Printable(unknown)}: the columns are {string.Join(", ", Known)}");
        }

        if (Required.FirstOrDefault(r => !columns.Contains(r)) is { } missing)
        {
            return checker.Fail(1, $"the header has no {missing} column");
        }

        if (columns.Distinct().Count() != columns.Count)
        {
            return checker.Fail(1, "a column is named twice");
        }

        var index = Known.ToDictionary(k => k, k => columns.IndexOf(k));
        while (reader.Next() is { } fields)
        {
            var line = reader.LineNumber;
            if (fields is [""])
            {
                continue;
            }

            if (fields.Count != columns.Count)
            {
                checker.Error(line, $"{fields.Count} fields where the header has {columns.Count}");
                continue;
            }

            string? Field(string name) => index[name] < 0 ? null : fields[index[name]];
            if (!checker.Add(line, Field("action"), Field("bill_number"), Field("account_number"), Field("customer_name"), Field("amount_due"), Field("due_date"), Field("expiry_date")))
            {
                return checker.Result();
            }
        }

        if (reader.Problem is { } problem)
        {
            checker.Error(reader.LineNumber, problem);
        }

        return checker.Result();
    }

    public static BillFileResult ParseJson(ReadOnlySpan<byte> json, Regex accountPattern, Currency currency)
    {
        var checker = new Checker(accountPattern, currency);
        JsonFile? file;
        try
        {
            file = JsonSerializer.Deserialize<JsonFile>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web) { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return checker.Fail(0, $"the file is not valid JSON of the form {{\"bills\":[{{\"billNumber\":...}}]}} (near byte {e.BytePositionInLine} of line {e.LineNumber + 1})");
        }

        if (file?.Bills is not { } bills)
        {
            return checker.Fail(0, "the file must be {\"bills\":[...]}");
        }

        for (var i = 0; i < bills.Count; i++)
        {
            var b = bills[i];
            if (b is null)
            {
                checker.Error(i + 1, "a bill must be an object");
            }
            else if (!checker.Add(i + 1, b.Action, b.BillNumber, b.AccountNumber, b.CustomerName, b.AmountDue, b.DueDate, b.ExpiryDate))
            {
                break;
            }
        }

        return checker.Result();
    }

    private static string Printable(string text) => new([.. text.Take(30).Select(c => char.IsControl(c) ? '?' : c)]);

    private sealed record JsonFile(List<JsonBill?>? Bills);

    private sealed record JsonBill(string? BillNumber, string? AccountNumber, string? CustomerName, string? AmountDue, string? DueDate, string? ExpiryDate = null, string? Action = null);

    /// <summary>Checks lines as they come; bill numbers are remembered to find one given twice.</summary>
    private sealed class Checker(Regex accountPattern, Currency currency)
    {
        private readonly List<BillLine> _lines = [];
        private readonly List<string> _errors = [];
        private readonly HashSet<string> _numbers = new(StringComparer.Ordinal);
        private int _errorCount;

        public void Error(int line, string problem)
        {
            _errorCount++;
            if (_errors.Count < MaxReported)
            {
                _errors.Add(line > 0 ? $"line {line}: {problem}" : problem);
            }
        }

        public BillFileResult Fail(int line, string problem)
        {
            Error(line, problem);
            return Result();
        }

        public BillFileResult Result() => new(_errorCount == 0 ? _lines : [], _errors, _errorCount);

        /// <summary>Checks one line; false when the file has more lines than any file may.</summary>
        public bool Add(int line, string? action, string? billNumber, string? account, string? name, string? amount, string? due, string? expiry)
        {
            if (_lines.Count + _errorCount >= MaxLines)
            {
                Error(line, $"a file holds at most {MaxLines:N0} bills");
                return false;
            }

            var kind = action is null or "" or "open" ? BillAction.Open : action == "cancel" ? BillAction.Cancel : (BillAction?)null;
            if (kind is null)
            {
                Error(line, "action must be open or cancel");
                return true;
            }

            if (billNumber is null || billNumber.Length is < 1 or > 40 || !billNumber.All(c => c is > ' ' and <= '~'))
            {
                Error(line, "bill_number must be 1 to 40 printable ASCII characters without spaces");
                return true;
            }

            if (!_numbers.Add(billNumber))
            {
                Error(line, "this bill_number is given on an earlier line of the file");
                return true;
            }

            if (kind == BillAction.Cancel)
            {
                _lines.Add(new BillLine(line, BillAction.Cancel, billNumber, "", "", 0, default, null));
                return true;
            }

            var before = _errorCount;
            if (account is null || account.Length is < 1 or > 64 || !account.All(c => c is >= ' ' and <= '~') || !Matches(account))
            {
                Error(line, "account_number does not have the biller's account number form");
            }

            if (name is null || name.Trim().Length == 0 || name.Length > 100 || name.Any(char.IsControl))
            {
                Error(line, "customer_name must be 1 to 100 characters without control characters");
            }

            if (amount is null || amount.Length > 32 || Money.TryParse(amount, currency, out var money) != AmountProblem.None || !money.IsPositive)
            {
                Error(line, $"amount_due must be a positive decimal in {currency.Alpha} with at most {currency.Decimals} decimals, such as 125.50");
                money = default;
            }

            var dueDate = Date(due);
            if (dueDate is null)
            {
                Error(line, "due_date must be a date yyyy-MM-dd");
            }

            var expiryDate = string.IsNullOrEmpty(expiry) ? null : Date(expiry);
            if (!string.IsNullOrEmpty(expiry) && (expiryDate is null || (dueDate is { } d && expiryDate < d)))
            {
                Error(line, "expiry_date must be a date yyyy-MM-dd, not before due_date");
            }

            if (_errorCount == before)
            {
                _lines.Add(new BillLine(line, BillAction.Open, billNumber, account!, name!.Trim(), money.Minor, dueDate!.Value, expiryDate));
            }

            return true;
        }

        private bool Matches(string account)
        {
            try
            {
                return accountPattern.IsMatch(account);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }

        private static DateOnly? Date(string? text) =>
            DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }

    /// <summary>RFC 4180 records: fields separated by commas, quoted with " (doubled inside), records by CRLF or LF.</summary>
    private sealed class CsvReader(string text)
    {
        private int _position;

        /// <summary>The line the last record started on (from 1).</summary>
        public int LineNumber { get; private set; }

        public string? Problem { get; private set; }

        private int _nextLine = 1;

        public List<string>? Next()
        {
            if (_position >= text.Length || Problem is not null)
            {
                return null;
            }

            LineNumber = _nextLine;
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            var wasQuoted = false;
            while (_position < text.Length)
            {
                var c = text[_position++];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (_position < text.Length && text[_position] == '"')
                        {
                            field.Append('"');
                            _position++;
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        if (c == '\n')
                        {
                            _nextLine++;
                        }

                        field.Append(c);
                    }

                    continue;
                }

                switch (c)
                {
                    case '"' when field.Length == 0 && !wasQuoted:
                        quoted = wasQuoted = true;
                        break;
                    case ',':
                        fields.Add(field.ToString());
                        field.Clear();
                        wasQuoted = false;
                        break;
                    case '\r' when _position < text.Length && text[_position] == '\n':
                        break;
                    case '\n':
                        _nextLine++;
                        fields.Add(field.ToString());
                        return fields;
                    default:
                        if (wasQuoted)
                        {
                            Problem = "a quoted field must end at its closing quote";
                            return null;
                        }

                        field.Append(c);
                        break;
                }
            }

            if (quoted)
            {
                Problem = "a quoted field is not closed before the end of the file";
                return null;
            }

            fields.Add(field.ToString());
            return fields;
        }
    }
}
