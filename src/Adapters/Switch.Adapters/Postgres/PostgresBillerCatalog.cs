using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Switch.Billing;
using Switch.Monetary;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Billers from PostgreSQL, all held in memory (a national scheme has hundreds, not millions) and read again
/// after <paramref name="refreshAfter"/>, so a suspension or a new enrolment takes effect without a restart.
/// </summary>
public sealed class PostgresBillerCatalog(NpgsqlDataSource dataSource, TimeProvider time, TimeSpan refreshAfter) : IBillerCatalog
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    // A reference, so a reader never sees one load's billers with another's times (Invalidate writes it outside the lock).
    private volatile Snapshot? _snapshot;
    private long _invalidatedAt = long.MinValue;

    public async ValueTask<Biller?> FindAsync(string code, CancellationToken cancellationToken) =>
        (await LoadedAsync(cancellationToken)).GetValueOrDefault(code);

    public async ValueTask<IReadOnlyList<Biller>> AllAsync(CancellationToken cancellationToken) =>
        [.. (await LoadedAsync(cancellationToken)).Values.OrderBy(b => b.Code, StringComparer.Ordinal)];

    /// <summary>
    /// The billers as loaded, the same instance until the next load: what an index built over them (the channels'
    /// catalog search) compares to know when to build again.
    /// </summary>
    public async ValueTask<IReadOnlyDictionary<string, Biller>> SnapshotAsync(CancellationToken cancellationToken) => await LoadedAsync(cancellationToken);

    /// <summary>
    /// Makes the next request load afresh: called on the node that changed the registry, so its own change is in force
    /// there at once (every other node picks it up within the refresh time).
    /// </summary>
    public void Invalidate()
    {
        Interlocked.Exchange(ref _invalidatedAt, time.GetTimestamp());
        if (_snapshot is { } current)
        {
            _snapshot = current with { Until = DateTimeOffset.MinValue, LoadStarted = long.MinValue };
        }
    }

    private async ValueTask<Dictionary<string, Biller>> LoadedAsync(CancellationToken cancellationToken)
    {
        if (_snapshot is { } current && current.Until > time.GetUtcNow())
        {
            return current.Billers;
        }

        var arrived = time.GetTimestamp();
        await _loading.WaitAsync(cancellationToken);
        try
        {
            // A load that began after this request arrived saw everything committed before it: fresh enough, even with
            // no refresh time at all, so a burst of requests shares one load instead of queueing a load each.
            if (_snapshot is { } loaded && (loaded.Until > time.GetUtcNow() || loaded.LoadStarted >= arrived))
            {
                return loaded.Billers;
            }

            var started = time.GetTimestamp();
            var billers = await LoadAsync(cancellationToken);
            // A load that began before an invalidation may have missed the change behind it: used once, then loaded again.
            _snapshot = started < Interlocked.Read(ref _invalidatedAt)
                ? new Snapshot(billers, DateTimeOffset.MinValue, long.MinValue)
                : new Snapshot(billers, time.GetUtcNow() + refreshAfter, started);
            return billers;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<Dictionary<string, Biller>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select b.code, b.name_en, b.name_ar, b.category, b.currency, b.presentment, b.payment_rule, b.minimum_payment,
                   b.maximum_payment, b.transaction_limit, b.account_pattern, b.channels,
                   coalesce(array_agg(e.bank_code) filter (where e.bank_code is not null), '{}'),
                   b.services, b.bill_fetch, b.maintenance, b.timeout_ms
              from billers b left join biller_banks e on e.biller_code = b.code
             where b.status = 'active'
             group by b.code
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var billers = new Dictionary<string, Biller>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var currency = Currency.Stored(reader.GetInt16(4));
            var biller = new Biller(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), currency,
                Enum.Parse<PresentmentMode>(reader.GetString(5), ignoreCase: true),
                Enum.Parse<PaymentRule>(reader.GetString(6), ignoreCase: true),
                new Money(reader.GetInt64(7), currency), new Money(reader.GetInt64(8), currency), new Money(reader.GetInt64(9), currency),
                new Regex(reader.GetString(10), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50)),
                reader.GetFieldValue<string[]>(12).ToHashSet(StringComparer.Ordinal),
                reader.GetFieldValue<string[]>(11).Select(c => Enum.Parse<Channel>(c, ignoreCase: true)).ToHashSet())
            {
                Services = JsonSerializer.Deserialize<BillerService[]>(reader.GetString(13), PostgresBillerRegistry.Json)!,
                Fetch = Enum.Parse<BillFetch>(reader.GetString(14).Replace("_", "", StringComparison.Ordinal), ignoreCase: true),
                Maintenance = JsonSerializer.Deserialize<MaintenanceWindow[]>(reader.GetString(15), PostgresBillerRegistry.Json)!,
                Timeout = reader.IsDBNull(16) ? null : TimeSpan.FromMilliseconds(reader.GetInt32(16)),
            };
            billers[biller.Code] = biller;
        }

        return billers;
    }

    private sealed record Snapshot(Dictionary<string, Biller> Billers, DateTimeOffset Until, long LoadStarted);
}
