using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Adapters.Redis;
using Switch.Adapters.Secrets;
using Switch.Diagnostics;
using Switch.Host.Actors;
using Switch.Host.Iso;
using Switch.Host.Notifications;
using Switch.Host.Rest;
using Switch.Host.Secrets;
using Switch.Participants;

namespace Switch.Host;

/// <summary>Builds the switch's host: HTTP (health, the REST API), the ISO 8583 listener, the stores.</summary>
public static class SwitchHost
{
    /// <summary>The settings as the host reads them (appsettings.json, then environment variables), for commands that talk to a running switch.</summary>
    public static SwitchOptions ReadOptions() =>
        new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().Build()
            .GetSection(SwitchOptions.Section).Get<SwitchOptions>() ?? new SwitchOptions();

    /// <param name="configure">Extra configuration applied last, e.g. tests choosing ports.</param>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json sits next to the binary; ./switch runs from the repository root.
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder.Configuration);
        builder.Logging.ClearProviders().AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });

        var options = builder.Configuration.GetSection(SwitchOptions.Section).Get<SwitchOptions>() ?? new SwitchOptions();
        if (string.IsNullOrWhiteSpace(options.Postgres.ConnectionString))
        {
            throw new InvalidOperationException("Switch:Postgres:ConnectionString is not set (appsettings.json or Switch__Postgres__ConnectionString).");
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new RepeatedFailures(sp.GetRequiredService<TimeProvider>(), RepeatedFailures.Interval));
        builder.Services.AddSingleton(_ => PostgresDataSource(options.Postgres.ConnectionString));
        builder.Services.AddKeyedSingleton(GenericPlans, (_, _) => PostgresDataSource(options.Postgres.ConnectionString, genericPlans: true));
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddSingleton<PostgresApiKeys>();
        builder.AddSecrets(options);
        builder.Services.AddSingleton<IBankDirectory>(sp => new PostgresBankDirectory(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(), options.BankCacheTime, sp.GetRequiredService<BankKeyStore>()));
        builder.Services.AddSingleton(_ => new RedisProbe(options.Redis.ConnectionString));
        builder.AddTransactionCore();
        builder.AddSettlement(options);
        builder.AddBillerNotifications();
        builder.AddIsoListener(options);
        builder.AddRestApi(options);
        builder.AddHealth();
        builder.Services.AddHostedService<NodeDrain>();

        var app = builder.Build();
        app.MapHealth();
        app.MapRestApi();
        return app;
    }

    /// <summary>
    /// Connections whose prepared statements always run their generic plan (<see cref="PostgresDataSource"/>), for
    /// statements over a batch's arrays.
    /// </summary>
    public const string GenericPlans = "generic-plans";

    /// <summary>
    /// The switch runs a handful of statements thousands of times a second; preparing them saves PostgreSQL their
    /// parse and plan each time. It never changes session state (the migrations' advisory lock is released in the
    /// same connection), so a pooled connection needs no reset statements when it is reused. A connection string
    /// that sets either itself keeps its value.
    /// </summary>
    /// <param name="genericPlans">
    /// Plan each prepared statement once. PostgreSQL otherwise plans a statement afresh on every run while a plan for
    /// the values at hand looks cheaper than one for any values, which for a statement over a batch's arrays is always:
    /// the batched bill lookup was planned on every call, its planning costing PostgreSQL five times its execution.
    /// Its plan does not depend on the values (index lookups whatever the batch holds). Not for every statement: a
    /// range over a column (a time, a reference prefix) does want a plan for its values.
    /// </param>
    private static NpgsqlDataSource PostgresDataSource(string connectionString, bool genericPlans = false)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (genericPlans)
        {
            builder.ConnectionStringBuilder.Options = $"{builder.ConnectionStringBuilder.Options} -c plan_cache_mode=force_generic_plan".Trim();
        }

        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        }

        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        return builder.Build();
    }

    /// <summary>
    /// Applies migrations, checks the secrets (a missing or wrong KEK stops here), takes the node's number (which its
    /// switch references carry), turns approvals committed after their bank heard 91 into that 91 (before positions
    /// load and before any bank is served), starts the actor system, then starts serving.
    /// </summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
        await app.Services.GetRequiredService<InstallationSecrets>().StartAsync(cancellationToken);
        await app.Services.GetRequiredService<NodeIdentity>().JoinAsync(cancellationToken);
        await app.Services.GetRequiredService<PostgresPaymentJournal>().DeclineApprovalsCommittedLateAsync(
            app.Services.GetRequiredService<SwitchOptions>().LateCommitLookback, cancellationToken);
        await app.Services.GetRequiredService<SwitchActors>().StartAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
    }
}
