using System.Text.RegularExpressions;
using Switch.Monetary;

namespace Switch.Billing;

/// <summary>How a biller's bills are found: the switch's own store, the biller's system live, or no bill at all.</summary>
public enum PresentmentMode { Hosted, Online, Prepaid }

/// <summary>What amounts a biller accepts against what is due.</summary>
public enum PaymentRule { Exact, Partial, Overpay, Any }

/// <summary>Whether a bank must fetch the bill (an inquiry) before paying it, may, or cannot (the biller presents none).</summary>
public enum BillFetch { Mandatory, Optional, NotSupported }

/// <summary>A service within a biller (the spec's field 48 SV tag), e.g. a ministry's passport fee.</summary>
public sealed record BillerService(string Code, string NameEn, string NameAr);

/// <summary>A planned maintenance window: from <paramref name="From"/> (inclusive) until <paramref name="Until"/> (exclusive).</summary>
public sealed record MaintenanceWindow(DateTimeOffset From, DateTimeOffset Until, string? Reason = null)
{
    public bool Covers(DateTimeOffset at) => From <= at && at < Until;
}

/// <summary>Where the payer is: the spec's field 48 CH values.</summary>
public enum Channel { Atm, Ib, Mb, Br, Pos, Ksk }

/// <summary>
/// A biller and the rules it set: every amount in <see cref="Currency"/>, the one currency its bills and payments are in.
/// <see cref="MinimumPayment"/> applies to PARTIAL, <see cref="MaximumPayment"/> to OVERPAY;
/// <see cref="TransactionLimit"/> caps any single payment whatever the rule.
/// </summary>
public sealed record Biller(
    string Code,
    string NameEn,
    string NameAr,
    string Category,
    Currency Currency,
    PresentmentMode Mode,
    PaymentRule Rule,
    Money MinimumPayment,
    Money MaximumPayment,
    Money TransactionLimit,
    Regex AccountPattern,
    IReadOnlySet<string> EnrolledBanks,
    IReadOnlySet<Channel> Channels)
{
    /// <summary>The biller's services, for the catalog (the spec's SV tag); none for a biller with one.</summary>
    public IReadOnlyList<BillerService> Services { get; init; } = [];

    public BillFetch Fetch { get; init; } = BillFetch.Optional;

    /// <summary>Planned maintenance windows, in any order: payments then get 91, inquiries 91 with the window's end.</summary>
    public IReadOnlyList<MaintenanceWindow> Maintenance { get; init; } = [];

    /// <summary>How long the biller's own system may take, when it is asked (online billers); null: the switch's default.</summary>
    public TimeSpan? Timeout { get; init; }

    public bool Accepts(string bank, Channel channel) => EnrolledBanks.Contains(bank) && Channels.Contains(channel);

    /// <summary>The maintenance window in force at <paramref name="at"/>, or null.</summary>
    public MaintenanceWindow? MaintenanceAt(DateTimeOffset at)
    {
        foreach (var window in Maintenance)
        {
            if (window.Covers(at))
            {
                return window;
            }
        }

        return null;
    }
}
