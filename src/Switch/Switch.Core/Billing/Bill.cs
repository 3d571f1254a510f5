using Switch.Monetary;

namespace Switch.Billing;

public enum BillStatus { Open, Paid, Cancelled }

/// <summary>A hosted bill. Amounts in the biller's currency; what is still owed is <see cref="Outstanding"/>.</summary>
public sealed record Bill(
    long Id,
    string BillerCode,
    string AccountNumber,
    string BillNumber,
    string CustomerName,
    Money AmountDue,
    Money AmountPaid,
    DateOnly DueDate,
    DateOnly? ExpiryDate,
    BillStatus Status)
{
    public Money Outstanding => Money.Max(Money.Zero(AmountDue.Currency), AmountDue - AmountPaid);

    public bool IsExpired(DateOnly today) => ExpiryDate is { } expiry && expiry < today;
}
