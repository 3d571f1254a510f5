namespace Switch.Billing;

/// <summary>The billers the switch serves, with their rules and enrolments.</summary>
public interface IBillerCatalog
{
    ValueTask<Biller?> FindAsync(string code, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<Biller>> AllAsync(CancellationToken cancellationToken);
}

/// <summary>Hosted bills, the first presentment mode: the switch answers inquiries from its own store.</summary>
public interface IBillStore
{
    /// <summary>Every bill of the account at the biller, any status.</summary>
    Task<IReadOnlyList<Bill>> FindAsync(string billerCode, string accountNumber, CancellationToken cancellationToken);
}
