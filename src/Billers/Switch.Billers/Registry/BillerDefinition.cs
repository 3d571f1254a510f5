using Switch.Billing;
using Switch.Monetary;

namespace Switch.Billers.Registry;

/// <summary>
/// A biller as the registry holds it, valid by construction (<see cref="BillerDraft.Validate"/>). The payment rule is
/// the one <see cref="PaymentCheck"/> enforces: <see cref="MinimumPayment"/> for PARTIAL, <see cref="MaximumPayment"/>
/// for OVERPAY. Adapter settings (endpoints, keys, posting mode) are kept apart, with the notifier.
/// </summary>
public sealed record BillerDefinition(
    string Code,
    string NameEn,
    string NameAr,
    string Category,
    IReadOnlyList<BillerService> Services,
    PresentmentMode Mode,
    BillFetch Fetch,
    PaymentRule Rule,
    Money? MinimumPayment,
    Money? MaximumPayment,
    Currency Currency,
    Money TransactionLimit,
    string AccountPattern,
    IReadOnlyList<CustomerParameter> Parameters,
    IReadOnlyList<Channel> Channels,
    IReadOnlyList<string> Banks,
    TimeSpan? Timeout,
    IReadOnlyList<MaintenanceWindow> Maintenance);

/// <summary>Where a biller's money is settled: an account at a bank of the scheme.</summary>
public sealed record SettlementAccount(string Iban, string Bank);

/// <summary>A settlement account change waiting for a second operator (maker-checker).</summary>
public sealed record PendingSettlementChange(long Id, SettlementAccount Account, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>A registered biller: its definition, whether it is active, its settlement account and any change to it awaiting approval.</summary>
public sealed record BillerEntry(BillerDefinition Definition, string Status, SettlementAccount? Settlement, PendingSettlementChange? PendingSettlement, DateTimeOffset UpdatedAt);
