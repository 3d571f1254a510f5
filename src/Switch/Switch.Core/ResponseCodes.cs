namespace Switch;

/// <summary>The scheme's response codes (field 39; REST problem+json carries the same code).</summary>
public static class ResponseCodes
{
    public const string Approved = "00";
    public const string DeclinedByBiller = "05";
    public const string InvalidTransaction = "12";
    public const string InvalidAmount = "13";
    public const string UnknownAccount = "14";
    public const string OriginalNotFound = "25";
    public const string FormatError = "30";
    public const string NetDebitCapExceeded = "51";
    public const string BillExpired = "54";
    public const string NotPermitted = "57";
    public const string OverLimit = "61";
    public const string SecurityViolation = "63";
    public const string BillerTooLate = "68";
    public const string Unavailable = "91";
    public const string UnknownBiller = "92";
    public const string Duplicate = "94";
    public const string SystemMalfunction = "96";
    public const string NothingDue = "B1";

    private static readonly Dictionary<string, string> Meanings = new()
    {
        [Approved] = "approved",
        [DeclinedByBiller] = "declined by the biller",
        [InvalidTransaction] = "invalid transaction",
        [InvalidAmount] = "invalid amount",
        [UnknownAccount] = "unknown billing account or bill",
        [OriginalNotFound] = "original not found",
        [FormatError] = "format error",
        [NetDebitCapExceeded] = "net debit cap would be exceeded",
        [BillExpired] = "bill expired",
        [NotPermitted] = "not permitted",
        [OverLimit] = "over the per-transaction limit",
        [SecurityViolation] = "security violation",
        [BillerTooLate] = "biller answered too late",
        [Unavailable] = "biller or switch unavailable, or not signed on",
        [UnknownBiller] = "unknown biller code",
        [Duplicate] = "duplicate transmission with different content",
        [SystemMalfunction] = "system malfunction",
        [NothingDue] = "nothing due: the bill is already paid",
    };

    public static string Describe(string? code) =>
        code is not null && Meanings.TryGetValue(code, out var meaning) ? meaning : $"unknown response code '{code}'";
}
