using Microsoft.Extensions.Logging;
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

        // Other tests register billers of their own in the same database; the seeded ones are all there, in code order.
        Assert.Subset(all.Select(b => b.Code).ToHashSet(), new HashSet<string> { "ELECT", "TELCO", "TOPUP", "TRAFFIC", "WATER" });
        Assert.Equal(all.Select(b => b.Code).Order(StringComparer.Ordinal), all.Select(b => b.Code));
        var sar = Currency.FromNumeric(682)!;
        Assert.Equal((PresentmentMode.Hosted, PaymentRule.Exact, sar, new Money(10_000_000, sar)), (traffic!.Mode, traffic.Rule, traffic.Currency, traffic.TransactionLimit));
        Assert.True(traffic.Accepts("100001", Channel.Ib));
        Assert.False(traffic.Accepts("100002", Channel.Ib));
        Assert.False(traffic.Accepts("100001", Channel.Atm));
        Assert.Null(await catalog.FindAsync("NOPE", default));
    }

    [Fact]
    public async Task A_registry_change_reaches_a_catalog_that_was_told_with_services_windows_and_timeout()
    {
        var catalog = new PostgresBillerCatalog(postgres.DataSource, TimeProvider.System, TimeSpan.FromHours(1));
        var registry = new PostgresBillerRegistry(postgres.DataSource);
        var code = "A" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..9];
        var from = DateTimeOffset.UtcNow.AddDays(1);
        var (definition, problems) = new Switch.Billers.Registry.BillerDraft(code, "Ministry of Interior", "وزارة الداخلية", "government_fees",
            [new("PASSPORT", "Passport fee", "رسوم الجواز")], "online", "mandatory", "OVERPAY", null, "100.00", "SAR", "500.00", "^[0-9]{10}$",
            Channels: ["IB"], Banks: ["100001"], TimeoutMs: 2500, Maintenance: [new(from, from.AddHours(2), "closing")]).Validate();
        Assert.Empty(problems);
        var who = new AuditActor(null, "operator", "cli:test@host");

        Assert.Null(await catalog.FindAsync(code, default));
        await registry.CreateAsync(definition!, null, who, default);
        var beforeTold = await catalog.FindAsync(code, default);
        catalog.Invalidate();
        var biller = await catalog.FindAsync(code, default);
        var entry = await registry.FindAsync(code, default);

        Assert.Null(beforeTold);
        Assert.Equal((PresentmentMode.Online, BillFetch.Mandatory, PaymentRule.Overpay, 10_000L, TimeSpan.FromMilliseconds(2500)),
            (biller!.Mode, biller.Fetch, biller.Rule, biller.MaximumPayment.Minor, biller.Timeout));
        Assert.Equal("رسوم الجواز", biller.Services.Single().NameAr);
        Assert.Equal("closing", biller.MaintenanceAt(from.AddHours(1))?.Reason);
        // What was registered reads back whole, as an operator would write it again.
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(Switch.Billers.Registry.BillerDraft.From(definition!)),
            System.Text.Json.JsonSerializer.Serialize(Switch.Billers.Registry.BillerDraft.From(entry!.Definition)));
    }

    [Fact]
    public async Task Bill_store_returns_an_account_bills_oldest_first()
    {
        await using var store = new PostgresBillStore(postgres.DataSource, NullLogger<PostgresBillStore>.Instance, TimeProvider.System);

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
        await using var store = new PostgresBillStore(postgres.DataSource, NullLogger<PostgresBillStore>.Instance, TimeProvider.System, readers: 1);
        var accounts = Enumerable.Range(3, 400).Select(i => i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var answers = await Task.WhenAll(accounts.Select(a => store.FindAsync("WATER", a, default))
            .Append(store.FindAsync("WATER", "no-such-account", default)));

        Assert.All(accounts.Zip(answers), pair => Assert.Equal([$"WATER-{pair.First[2..]}"], pair.Second.Select(b => b.BillNumber)));
        Assert.All(answers.SkipLast(1), bills => Assert.Equal("WATER", Assert.Single(bills).BillerCode));
        Assert.Empty(answers[^1]);
    }

    [Fact]
    public async Task Bill_store_sends_postgres_one_query_per_lookup_when_lookups_come_one_at_a_time()
    {
        // Every idle reader wakes for a lookup: the ones that find it taken must not query PostgreSQL with nothing.
        var commands = new CommandCounter();
        var builder = new Npgsql.NpgsqlDataSourceBuilder(postgres.DataSource.ConnectionString);
        builder.UseLoggerFactory(LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(commands)));
        await using var counted = builder.Build();
        await using var store = new PostgresBillStore(counted, NullLogger<PostgresBillStore>.Instance, TimeProvider.System, readers: 4);

        for (var i = 0; i < 20; i++)
        {
            Assert.Single(await store.FindAsync("WATER", "0000000003", default));
        }

        Assert.Equal(20, commands.Executed);
    }

    [Fact]
    public async Task Bill_store_fails_every_waiting_lookup_when_postgres_is_unreachable()
    {
        await using var unreachable = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1");
        await using var store = new PostgresBillStore(unreachable, NullLogger<PostgresBillStore>.Instance, TimeProvider.System);

        var lookups = Enumerable.Range(0, 5).Select(_ => store.FindAsync("ELECT", "0000000005", default)).ToList();

        foreach (var lookup in lookups)
        {
            await Assert.ThrowsAnyAsync<Npgsql.NpgsqlException>(() => lookup);
        }
    }

    /// <summary>Counts the commands Npgsql reports as executed.</summary>
    private sealed class CommandCounter : ILoggerProvider, ILogger
    {
        private int _executed;

        public int Executed => Volatile.Read(ref _executed);

        public ILogger CreateLogger(string categoryName) => categoryName == "Npgsql.Command" ? this : NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith("Command execution completed", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _executed);
            }
        }

        public void Dispose()
        {
        }
    }
}
