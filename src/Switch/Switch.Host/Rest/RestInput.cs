namespace Switch.Host.Rest;

/// <summary>One text input's limits at the REST edge: how long it may be and which characters it may hold.</summary>
/// <param name="Describe">The rule in words, for the problem's detail: the input itself is never echoed.</param>
public sealed record FieldRule(int MaxLength, Func<char, bool> Allows, string Describe);

/// <summary>
/// The limits of every input the REST edge reads (body fields, headers, route and query parameters), checked before
/// anything else happens: nothing outside them reaches the core, the journal or a log. Every rule excludes the C0 and
/// C1 control characters; whether a value exists (a biller, an account under its biller's pattern) is the core's
/// question, asked only of values that pass here.
/// </summary>
public static class RestInput
{
    public static readonly FieldRule BillerCode = new(12, c => c is >= 'A' and <= 'Z' or >= '0' and <= '9', "1 to 12 characters of A-Z 0-9");

    /// <summary>Field 48 AN allows 999; no biller's pattern needs more than 64, and the journal keeps no more.</summary>
    public static readonly FieldRule AccountNumber = new(64, IsPrintableAscii, "1 to 64 printable ASCII characters");

    public static readonly FieldRule BillNumber = new(40, IsPrintableAscii, "1 to 40 printable ASCII characters");

    /// <summary>An IBAN is at most 34 characters.</summary>
    public static readonly FieldRule PayerAccount = new(34, char.IsAsciiLetterOrDigit, "1 to 34 characters of A-Z a-z 0-9");

    public static readonly FieldRule Channel = new(3, char.IsAsciiLetterUpper, "one of ATM, IB, MB, BR, POS, KSK");

    public static readonly FieldRule Amount = new(32, IsPrintableAscii, "a decimal string such as \"395.95\"");

    public static readonly FieldRule Currency = new(3, IsPrintableAscii, "an ISO 4217 alphabetic code such as SAR");

    public static readonly FieldRule IdempotencyKey = new(64, c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-', "1 to 64 characters of A-Z a-z 0-9 . _ : -");

    /// <summary>The switch's own references (SR), e.g. SW1A2B3C4D5E6F70.</summary>
    public static readonly FieldRule PaymentId = new(32, char.IsAsciiLetterOrDigit, "1 to 32 characters of A-Z a-z 0-9");

    /// <summary>A receipt code (spec RV) as printed on a receipt.</summary>
    public static readonly FieldRule ReceiptCode = new(32, char.IsAsciiLetterOrDigit, "1 to 32 characters of A-Z a-z 0-9");

    public static readonly FieldRule ReportFormat = new(4, char.IsAsciiLetterLower, "json or csv");

    /// <summary>A settlement window's id.</summary>
    public static readonly FieldRule WindowId = new(18, char.IsAsciiDigit, "1 to 18 digits");
    /// <summary>A participant's code (banks.code).</summary>
    public static readonly FieldRule BankCode = new(11, char.IsAsciiLetterOrDigit, "1 to 11 characters of A-Z a-z 0-9");

    /// <summary>Catalog search words, in Arabic or English.</summary>
    public static readonly FieldRule SearchText = new(100, c => !IsControl(c), "at most 100 characters without control characters");

    public static readonly FieldRule CatalogCategory = new(32, c => c is >= 'a' and <= 'z' or '_', "a category code such as electricity");

    public static readonly FieldRule PageNumber = new(6, char.IsAsciiDigit, "a number from 1");

    public static readonly FieldRule ApiKey = new(128, c => c is > ' ' and <= '~', "1 to 128 printable ASCII characters without spaces");

    /// <summary>Query parameters the switch does not read: ignored, but never a way to pass control characters or bulk.</summary>
    public static readonly FieldRule Unread = new(256, c => !IsControl(c), "at most 256 characters and no control characters");

    /// <summary>Route and query parameters by name; a name not listed is <see cref="Unread"/>.</summary>
    private static readonly Dictionary<string, FieldRule> Parameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["code"] = BillerCode,
        ["billerCode"] = BillerCode,
        ["accountNumber"] = AccountNumber,
        ["billNumber"] = BillNumber,
        ["channel"] = Channel,
        ["paymentId"] = PaymentId,
        ["idempotencyKey"] = IdempotencyKey,
        ["windowId"] = WindowId,
        ["currency"] = Currency,
        ["format"] = ReportFormat,
        ["q"] = SearchText,
        ["category"] = CatalogCategory,
        ["biller"] = BillerCode,
        ["page"] = PageNumber,
        ["pageSize"] = PageNumber,
    };

    /// <summary>Why <paramref name="value"/> breaks <paramref name="rule"/>, or null when it keeps it. An absent value keeps every rule: whether it is required is the handler's to say.</summary>
    public static string? Problem(string name, string? value, FieldRule rule)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length == 0 || value.Length > rule.MaxLength)
        {
            return $"{name} must be {rule.Describe}";
        }

        foreach (var c in value)
        {
            if (IsControl(c) || !rule.Allows(c))
            {
                return $"{name} must be {rule.Describe}";
            }
        }

        return null;
    }

    /// <summary>The first problem among <paramref name="inputs"/>, or null.</summary>
    public static string? FirstProblem(params ReadOnlySpan<(string Name, string? Value, FieldRule Rule)> inputs)
    {
        foreach (var (name, value, rule) in inputs)
        {
            if (Problem(name, value, rule) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>The rule a route or query parameter of this name is held to.</summary>
    public static FieldRule ForParameter(string name) => Parameters.GetValueOrDefault(name, Unread);

    /// <summary>Whether <paramref name="name"/> is a parameter the switch reads.</summary>
    public static bool IsParameter(string name) => Parameters.ContainsKey(name);

    public static string? Problem(PaymentRequest request) => FirstProblem(
        ("billerCode", request.BillerCode, BillerCode), ("accountNumber", request.AccountNumber, AccountNumber), ("channel", request.Channel, Channel),
        ("amount", request.Amount, Amount), ("currency", request.Currency, Currency), ("billNumber", request.BillNumber, BillNumber),
        ("payerAccount", request.PayerAccount, PayerAccount));

    public static string? Problem(ReversalRequest request) => FirstProblem(("amount", request.Amount, Amount), ("currency", request.Currency, Currency));

    public static string? Problem(ReceiptVerifyRequest request) =>
        FirstProblem(("reference", request.Reference, PaymentId), ("receiptCode", request.ReceiptCode, ReceiptCode));

    /// <summary>C0 (U+0000 to U+001F), DEL and C1 (U+0080 to U+009F).</summary>
    public static bool IsControl(char c) => c < ' ' || c is >= '\u007f' and <= '\u009f';

    private static bool IsPrintableAscii(char c) => c is >= ' ' and <= '~';
}
