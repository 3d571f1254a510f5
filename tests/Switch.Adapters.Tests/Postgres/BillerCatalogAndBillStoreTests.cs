using Microsoft.Extensions.Logging.Abstractions;
using Switch.Adapters.Postgres;
using Switch.Billing;
using Switch.Monetary;

namespace Switch.Adapters.Tests.Postgres;

public class BillerCatalogAndBillStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Catalog_reads_rules_channels_and_enrolments_of_the_seeded_billers()
    {
        var catalog = new PostgresBillerCatalog(postgres.DataSource, TimeProvider.System, TimeSpan.FromMinutes(1));

        var all = await catalog.AllAsync(default);
        var traffic = await catalog.FindAsync("TRAFFIC", default);

        // Tests add billers of their own to the shared database (settlement's pay in another currency): the seeded ones are all there, in code order.
        string[] seeded = ["ELECT", "TELCO", "TOPUP", "TRAFFIC", "WATER"];
        Assert.Equal(seeded, all.Select(b => b.Code).Where(seeded.Contains));
        var sar = Currency.FromNumeric(682)!;
        Assert.Equal((PresentmentMode.Hosted, PaymentRule.Exact, sar, new Money(10_000_000, sar)), (traffic!.Mode, traffic.Rule, traffic.Currency, traffic.TransactionLimit));
        Assert.True(traffic.Accepts("100001", Channel.Ib));
        Assert.False(traffic.Accepts("100002", Channel.Ib));
        Assert.False(traffic.Accepts("100001", Channel.Atm));
        Assert.Null(await catalog.FindAsync("NOPE", default));
    }

    [Fact]
    public async Task Bill_store_returns_an_account_bills_oldest_first()
    {
        await using var store = new PostgresBillStore(postgres.DataSource, NullLogger<PostgresBillStore>.Instance);

        var bills = await store.FindAsync("ELECT", "0000000002", default);
        var none = await store.FindAsync("ELECT", "no-such-account", default);

        Assert.Equal(["ELECT-EXPIRED2", "ELECT-00000002"], bills.Select(b => b.BillNumber));
        Assert.True(bills[0].IsExpired(new DateOnly(2026, 11, 22)));
        Assert.Equal(new Money(5_000, Currency.FromAlpha("SAR")!), bills[0].AmountDue);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Bill_store_answers_simultaneous_lookups_each_with_its_own_account()
    {
        await using var store = new PostgresBillStore(postgres.DataSource, NullLogger<PostgresBillStore>.Instance, readers: 1);
        var accounts = Enumerable.Range(3, 400).Select(i => i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var answers = await Task.WhenAll(accounts.Select(a => store.FindAsync("WATER", a, default))
            .Append(store.FindAsync("WATER", "no-such-account", default)));

        Assert.All(accounts.Zip(answers), pair => Assert.Equal([$"WATER-{pair.First[2..]}"], pair.Second.Select(b => b.BillNumber)));
        Assert.All(answers.SkipLast(1), bills => Assert.Equal("WATER", Assert.Single(bills).BillerCode));
        Assert.Empty(answers[^1]);
    }

    [Fact]
    public async Task Bill_store_fails_every_waiting_lookup_when_postgres_is_unreachable()
    {
        await using var unreachable = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1");
        await using var store = new PostgresBillStore(unreachable, NullLogger<PostgresBillStore>.Instance);

        var lookups = Enumerable.Range(0, 5).Select(_ => store.FindAsync("ELECT", "0000000005", default)).ToList();

        foreach (var lookup in lookups)
        {
            await Assert.ThrowsAnyAsync<Npgsql.NpgsqlException>(() => lookup);
        }
    }
}
