using System.Text.RegularExpressions;
using Switch.Monetary;

namespace Switch.Billing;

/// <summary>How a biller's bills are found: the switch's own store, the biller's system live, or no bill at all.</summary>
public enum PresentmentMode { Hosted, Online, Prepaid }

/// <summary>What amounts a biller accepts against what is due.</summary>
public enum PaymentRule { Exact, Partial, Overpay, Any }

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
    public bool Accepts(string bank, Channel channel) => EnrolledBanks.Contains(bank) && Channels.Contains(channel);
}
