using Npgsql;
using Switch.Adapters.Secrets;
using Switch.Transactions;

namespace Switch.Host.Secrets;

public static class SecretsRegistration
{
    /// <summary>
    /// The KEK (read at start, not when the host is built: migrate needs none), the bank key store and the installation's secrets. Receipt codes
    /// need the receipt secret, which <see cref="InstallationSecrets.StartAsync"/> reads before anything is served.
    /// </summary>
    public static void AddSecrets(this WebApplicationBuilder builder, SwitchOptions options)
    {
        builder.Services.AddSingleton(_ => KeyEncryptionKey.Deferred(options.Secrets.KeyFile, options.Secrets.Key));
        builder.Services.AddSingleton(sp => new BankKeyStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<KeyEncryptionKey>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<InstallationSecrets>();
        builder.Services.AddSingleton(sp => new ReceiptCodes(() => sp.GetRequiredService<InstallationSecrets>().ReceiptSecret));
    }
}
