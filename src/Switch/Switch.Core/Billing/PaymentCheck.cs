using Switch.Monetary;

namespace Switch.Billing;

/// <summary>The least and most a biller accepts for a bill right now (spec field 48 MN / MX).</summary>
public readonly record struct AcceptedRange(Money Minimum, Money Maximum);

/// <summary>
/// The biller's rules applied to a bill and an amount, without I/O: which bill a payment goes to, what range
/// is accepted, and which response code refuses it. The order of checks follows what a bank most needs to hear.
/// </summary>
public static class PaymentCheck
{
    /// <summary>
    /// The bill a payment or inquiry is about: the one named by <paramref name="billNumber"/>, or else the
    /// oldest open bill (earliest due date, then lowest id), or else the latest bill, to tell "paid" from "unknown".
    /// </summary>
    public static Bill? Choose(IReadOnlyCollection<Bill> bills, string? billNumber)
    {
        if (billNumber is not null)
        {
            return bills.FirstOrDefault(b => b.BillNumber == billNumber);
        }

        return bills.Where(b => b.Status == BillStatus.Open && b.Outstanding.IsPositive).OrderBy(b => b.DueDate).ThenBy(b => b.Id).FirstOrDefault()
            ?? bills.OrderByDescending(b => b.DueDate).ThenByDescending(b => b.Id).FirstOrDefault();
    }

    /// <summary>What the biller's rule accepts for this bill now.</summary>
    public static AcceptedRange Range(Biller biller, Money outstanding) => biller.Rule switch
    {
        PaymentRule.Exact => new(outstanding, outstanding),
        PaymentRule.Partial => new(Money.Min(biller.MinimumPayment, outstanding), outstanding),
        PaymentRule.Overpay => new(outstanding, Money.Max(outstanding, biller.MaximumPayment)),
        _ => new(new Money(1, biller.Currency), biller.TransactionLimit),
    };

    /// <summary>
    /// Why the switch cannot take this request for this biller from this bank at <paramref name="now"/>, or null. A
    /// biller in a planned maintenance window is 91 (unavailable: the bank may try again after the window), checked
    /// after enrolment so a bank never learns more of a biller it may not pay.
    /// </summary>
    public static string? Admit(Biller? biller, string bank, Channel channel, string account, DateTimeOffset now) =>
        Admit(biller, bank, channel, account) ?? (biller!.MaintenanceAt(now) is null ? null : ResponseCodes.Unavailable);

    /// <summary>Why the switch cannot take this request for this biller from this bank, or null.</summary>
    public static string? Admit(Biller? biller, string bank, Channel channel, string account)
    {
        if (biller is null)
        {
            return ResponseCodes.UnknownBiller;
        }

        if (!biller.Accepts(bank, channel))
        {
            return ResponseCodes.NotPermitted;
        }

        return biller.AccountPattern.IsMatch(account) ? null : ResponseCodes.UnknownAccount;
    }

    /// <summary>
    /// Why this amount cannot pay this bill, or null when it can. <paramref name="bill"/> is null for prepaid billers.
    /// Another currency than the biller's is refused first, so no amount of it is ever compared with the biller's.
    /// </summary>
    public static string? Refuse(Biller biller, Bill? bill, Money amount, DateOnly today)
    {
        if (amount.Currency != biller.Currency || !amount.IsPositive)
        {
            return ResponseCodes.InvalidAmount;
        }

        if (amount > biller.TransactionLimit)
        {
            return ResponseCodes.OverLimit;
        }

        if (biller.Mode == PresentmentMode.Prepaid)
        {
            return null;
        }

        if (BillProblem(bill, today) is { } problem)
        {
            return problem;
        }

        var range = Range(biller, bill!.Outstanding);
        return amount < range.Minimum || amount > range.Maximum ? ResponseCodes.InvalidAmount : null;
    }

    /// <summary>Why this bill cannot be paid now, whatever the amount (14, B1, 54), or null.</summary>
    public static string? BillProblem(Bill? bill, DateOnly today) =>
        bill is null || bill.Status == BillStatus.Cancelled ? ResponseCodes.UnknownAccount
        : bill.Status == BillStatus.Paid || bill.Outstanding.IsZero ? ResponseCodes.NothingDue
        : bill.IsExpired(today) ? ResponseCodes.BillExpired
        : null;
}
