using Switch.Adapters.Postgres;
using Switch.Billing;

namespace Switch.Adapters.Tests.Postgres;

public class BillerCatalogAndBillStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Catalog_reads_rules_channels_and_enrolments_of_the_seeded_billers()
    {
        var catalog = new PostgresBillerCatalog(postgres.DataSource, TimeProvider.System, TimeSpan.FromMinutes(1));

        var all = await catalog.AllAsync(default);
        var traffic = await catalog.FindAsync("TRAFFIC", default);

        Assert.Equal(["ELECT", "TELCO", "TOPUP", "TRAFFIC", "WATER"], all.Select(b => b.Code));
        Assert.Equal((PresentmentMode.Hosted, PaymentRule.Exact, 682), (traffic!.Mode, traffic.Rule, traffic.Currency));
        Assert.True(traffic.Accepts("100001", Channel.Ib));
        Assert.False(traffic.Accepts("100002", Channel.Ib));
        Assert.False(traffic.Accepts("100001", Channel.Atm));
        Assert.Null(await catalog.FindAsync("NOPE", default));
    }

    [Fact]
    public async Task Bill_store_returns_an_account_bills_oldest_first()
    {
        var store = new PostgresBillStore(postgres.DataSource);

        var bills = await store.FindAsync("ELECT", "0000000002", default);
        var none = await store.FindAsync("ELECT", "no-such-account", default);

        Assert.Equal(["ELECT-EXPIRED2", "ELECT-00000002"], bills.Select(b => b.BillNumber));
        Assert.True(bills[0].IsExpired(new DateOnly(2026, 11, 22)));
        Assert.Empty(none);
    }
}
