namespace Switch.Billing;

public enum BillStatus { Open, Paid, Cancelled }

/// <summary>A hosted bill. Amounts in minor units of the biller's currency; what is still owed is <see cref="Outstanding"/>.</summary>
public sealed record Bill(
    long Id,
    string BillerCode,
    string AccountNumber,
    string BillNumber,
    string CustomerName,
    long AmountDue,
    long AmountPaid,
    DateOnly DueDate,
    DateOnly? ExpiryDate,
    BillStatus Status)
{
    public long Outstanding => Math.Max(0, AmountDue - AmountPaid);

    public bool IsExpired(DateOnly today) => ExpiryDate is { } expiry && expiry < today;
}
