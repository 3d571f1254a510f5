using System.Diagnostics;
using Npgsql;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Iso;

/// <summary>A switch that reaches PostgreSQL through a proxy the test can cut; billers stay cached meanwhile.</summary>
public class PostgresBehindProxyHost : HostFixture
{
    private readonly NpgsqlConnectionStringBuilder _direct = new(RequireServers());

    public PostgresBehindProxyHost() => Proxy = new TcpProxy(_direct.Host!, _direct.Port);

    public TcpProxy Proxy { get; }

    /// <summary>PostgreSQL reached directly, for the test's own checks while the switch's way is cut.</summary>
    public NpgsqlDataSource Direct => _directSource ??= NpgsqlDataSource.Create(_direct.ConnectionString);

    private NpgsqlDataSource? _directSource;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Switch:Postgres:ConnectionString", new NpgsqlConnectionStringBuilder(_direct.ConnectionString) { Port = Proxy.Port, Timeout = 2 }.ConnectionString),
        new("Switch:CatalogRefresh", "00:10:00"),
        // A reservation whose commit failed is settled from the journal this long after its deadline.
        new("Switch:Positions:SettleMargin", "00:00:01"),
    ];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Proxy.DisposeAsync();
        if (_directSource is not null)
        {
            await _directSource.DisposeAsync();
        }
    }
}

/// <summary>PostgreSQL down: the bank hears 96 rather than silence, nothing is half-written, and no cap stays held.</summary>
public class PostgresDownTests(PostgresBehindProxyHost host) : IClassFixture<PostgresBehindProxyHost>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Payment_while_postgres_is_down_is_answered_96_in_time_journals_nothing_and_frees_its_reservation()
    {
        var bankCode = await TestData.Bank(host.Direct, cap: 1_000_000);
        await using var bank = await host.SignedOnAsync(bankCode);
        // Billers and the bank's position are loaded while PostgreSQL is still there.
        Assert.Equal("00", (await bank.SendAsync(Payment(bankCode, "0500000001", 1_000, biller: "TOPUP", channel: "MB"), Wait)).GetString(39));
        var payment = Payment(bankCode, "0500000002", 2_000, biller: "TOPUP", channel: "MB");

        host.Proxy.Cut();
        var clock = Stopwatch.StartNew();
        var answer = await bank.SendAsync(payment, Wait);
        var answeredIn = clock.Elapsed;
        host.Proxy.Restore();

        Assert.Equal("96", answer.GetString(39));
        Assert.True(answeredIn < TimeSpan.FromSeconds(5), $"answered after {answeredIn}");
        Assert.Equal(0L, await host.Direct.Scalar<long>("select count(*) from payments where bank_code = $1 and reference = $2", bankCode, payment.GetString(37)!));
        Assert.Equal((1_000L, 0L), await host.PositionWhenSettledAsync(bankCode));
        Assert.Equal("00", (await bank.SendAsync(payment, Wait)).GetString(39));
    }

}
