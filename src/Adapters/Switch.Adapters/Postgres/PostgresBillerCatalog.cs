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
    private (Dictionary<string, Biller> Billers, DateTimeOffset Until, long LoadStarted)? _snapshot;

    public async ValueTask<Biller?> FindAsync(string code, CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).GetValueOrDefault(code);

    public async ValueTask<IReadOnlyList<Biller>> AllAsync(CancellationToken cancellationToken) =>
        [.. (await SnapshotAsync(cancellationToken)).Values.OrderBy(b => b.Code, StringComparer.Ordinal)];

    private async ValueTask<Dictionary<string, Biller>> SnapshotAsync(CancellationToken cancellationToken)
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
            _snapshot = (billers, time.GetUtcNow() + refreshAfter, started);
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
                   coalesce(array_agg(e.bank_code) filter (where e.bank_code is not null), '{}')
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
                reader.GetFieldValue<string[]>(11).Select(c => Enum.Parse<Channel>(c, ignoreCase: true)).ToHashSet());
            billers[biller.Code] = biller;
        }

        return billers;
    }
}
