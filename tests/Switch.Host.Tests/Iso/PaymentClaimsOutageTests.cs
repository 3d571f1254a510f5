using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Host.Tests.Infrastructure;
using Switch.Transactions;

namespace Switch.Host.Tests.Iso;

/// <summary>
/// An attempt that failed because PostgreSQL went away cannot release its payment key then: the release is kept and
/// made once PostgreSQL takes claims again, so a repeat of the payment is not held off by a dead attempt.
/// </summary>
public sealed class PaymentClaimsOutageTests : IAsyncLifetime
{
    private readonly NpgsqlDataSource _direct = NpgsqlDataSource.Create(HostFixture.RequireServers());
    private readonly TcpProxy _proxy;
    private readonly NpgsqlDataSource _behindProxy;

    public PaymentClaimsOutageTests()
    {
        var direct = new NpgsqlConnectionStringBuilder(HostFixture.RequireServers());
        _proxy = new TcpProxy(direct.Host!, direct.Port);
        _behindProxy = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = _proxy.Port, Timeout = 2 }.ConnectionString);
    }

    public async Task InitializeAsync() => await new MigrationRunner(_direct, NullLogger<MigrationRunner>.Instance).ApplyAsync();

    public async Task DisposeAsync()
    {
        await _behindProxy.DisposeAsync();
        await _proxy.DisposeAsync();
        await _direct.DisposeAsync();
    }

    [Fact]
    public async Task A_release_refused_during_an_outage_is_made_once_postgres_is_back()
    {
        var deadline = new Deadline(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        var key = new RequestKey("CLM" + Random.Shared.Next(100_000, 999_999), "000000000001", "1206");
        await using var claims = new PostgresPaymentClaims(_behindProxy, NullLogger<PostgresPaymentClaims>.Instance, TimeProvider.System);
        Assert.True((await claims.ClaimAsync(key, "attempt-1", deadline, CancellationToken.None)).Ours);

        _proxy.Cut();
        await claims.ReleaseAsync(key, "attempt-1", CancellationToken.None);
        Assert.Equal(1L, await ClaimsOfAsync(key));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => claims.ClaimAsync(key, "attempt-2", deadline, CancellationToken.None));

        _proxy.Restore();
        // The first batch the store takes comes with the releases it refused before.
        Assert.True((await claims.ClaimAsync(key with { Reference = "000000000002" }, "other", deadline, CancellationToken.None)).Ours);
        Assert.Equal(0L, await ClaimsOfAsync(key));
        Assert.True((await claims.ClaimAsync(key, "attempt-2", deadline, CancellationToken.None)).Ours);
    }

    private Task<long> ClaimsOfAsync(RequestKey key) => _direct.Scalar<long>(
        "select count(*) from payment_claims where bank_code = $1 and reference = $2 and local_date = $3", key.Bank, key.Reference, key.LocalDate);
}
