using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Adapters.Secrets;
using Switch.Billing;
using Switch.Host.Actors;
using Switch.Positions;
using Switch.Transactions;

namespace Switch.Host;

public static class TransactionCoreRegistration
{
    /// <summary>The transaction flow and what it stands on: billers, bills, journal, position actors.</summary>
    public static void AddTransactionCore(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IBillerCatalog>(sp => sp.GetRequiredService<PostgresBillerCatalog>());
        builder.Services.AddSingleton(sp =>
            new PostgresBillerCatalog(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SwitchOptions>().CatalogRefresh));
        builder.Services.AddSingleton<IBillStore>(sp => new PostgresBillStore(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(SwitchHost.GenericPlans), sp.GetRequiredService<ILogger<PostgresBillStore>>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<PostgresPaymentJournal>();
        builder.Services.AddSingleton<IPaymentJournal>(sp => sp.GetRequiredService<PostgresPaymentJournal>());
        builder.Services.AddSingleton<PostgresPaymentClaims>();
        builder.Services.AddSingleton<PostgresPositionSource>();
        builder.Services.AddSingleton<SwitchActors>();
        builder.Services.AddSingleton<IPositions>(sp => sp.GetRequiredService<SwitchActors>());
        builder.Services.AddSingleton<NodesUp>(sp => sp.GetRequiredService<SwitchActors>().NodesUp);
        builder.Services.AddSingleton(sp => new TransactionFlow(
            sp.GetRequiredService<IBillerCatalog>(), sp.GetRequiredService<IBillStore>(), sp.GetRequiredService<IPaymentJournal>(),
            sp.GetRequiredService<IPositions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SwitchOptions>().RequestTimeout,
            sp.GetRequiredService<SwitchOptions>().ReversalTimeLimit, sp.GetRequiredService<ReceiptCodes>(),
            sp.GetRequiredService<SwitchReferences>(), sp.GetRequiredService<ApprovalCodes>(),
            // Keys are claimed across nodes only where there are other nodes: a node without seed nodes is a cluster of
            // one, where the flow's per-key lock already holds every attempt at a key, and claims would only cost.
            sp.GetRequiredService<SwitchOptions>().Cluster.SeedNodes.Count == 0 ? null : sp.GetRequiredService<PostgresPaymentClaims>()));
        // The node's number and the receipt secret are read at start (SwitchHost.StartAsync), after the host is built.
        builder.Services.AddSingleton<NodeIdentity>();
        builder.Services.AddSingleton(sp => new SwitchReferences(() => sp.GetRequiredService<NodeIdentity>().Number, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new ApprovalCodes(new PostgresApprovalCodeBlocks(sp.GetRequiredService<NpgsqlDataSource>()),
            () => sp.GetRequiredService<InstallationSecrets>().ReceiptSecret, sp.GetRequiredService<TimeProvider>()));
    }
}
