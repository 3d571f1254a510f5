using Switch.Billing;
using Switch.Monetary;

namespace Switch.Transactions;

/// <summary>What the switch answers; <see cref="ResponseCode"/> is the scheme's field-39 code on every edge.</summary>
public abstract record Reply(string ResponseCode)
{
    public bool Approved => ResponseCode == ResponseCodes.Approved;
}

/// <summary>A bill's details for the payer (spec field 48: BN NM DA DD XD MN MX PR NB FE).</summary>
public sealed record BillDetails(
    string BillNumber, string MaskedName, Money AmountDue, DateOnly DueDate, DateOnly? ExpiryDate,
    AcceptedRange Accepted, PaymentRule Rule, int OpenBills, Money Fee);

public sealed record InquiryReply(string ResponseCode, BillDetails? Bill) : Reply(ResponseCode)
{
    /// <summary>When the biller is in a planned maintenance window, the window (91): what the bank can tell its customer.</summary>
    public MaintenanceWindow? Maintenance { get; init; }
}

/// <summary>A payment's outcome; on approval it carries the switch reference and receipt code (SR, RV) and the approval code (38).</summary>
public sealed record PaymentReply(string ResponseCode, string? SwitchReference, string? ApprovalCode, string? ReceiptCode, Money Fee)
    : Reply(ResponseCode)
{
    /// <summary>True when this request made the journal entry; false when it is the repeat of an earlier one.</summary>
    public bool FirstAnswer { get; init; }
}

/// <summary>A reversal's answer: 00 acknowledges it, applied or (with <see cref="ExceptionReason"/>) recorded as an exception.</summary>
public sealed record ReversalReply(string ResponseCode) : Reply(ResponseCode)
{
    public string? ExceptionReason { get; init; }
}
