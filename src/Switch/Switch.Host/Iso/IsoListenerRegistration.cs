using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Switch.Adapters.Iso8583;

namespace Switch.Host.Iso;

public static class IsoListenerRegistration
{
    /// <summary>Adds the ISO 8583 listener (and, when configured, its TLS twin and HTTPS) as Kestrel endpoints next to HTTP.</summary>
    public static void AddIsoListener(this WebApplicationBuilder builder, SwitchOptions options)
    {
        builder.Services.AddSingleton(options.Iso);
        builder.Services.AddSingleton(_ => new IsoCodec(MessageProfile.Resolve(options.Iso.Profile)));
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton(sp => new BankConnectionPlaces(sp.GetRequiredService<ConnectionRegistry>(),
            options.Cluster.SeedNodes.Count == 0 ? null : new Adapters.Redis.RedisConnectionCounter(
                options.Redis.ConnectionString, options.Redis.Timeout, Guid.NewGuid().ToString("N"), options.Iso.ConnectionLease),
            options, sp.GetRequiredService<Actors.NodesUp>(), sp.GetRequiredService<ILogger<BankConnectionPlaces>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BankConnectionPlaces>());
        builder.Services.AddSingleton<IsoDrain>();
        builder.Services.AddSingleton<IFinancialRequestHandler, IsoTransactionHandler>();
        builder.Services.AddSingleton<IsoRequestProcessor>();
        // Registered after Kestrel's own socket transport, so Kestrel binds every endpoint through this one.
        builder.Services.AddSingleton<IConnectionListenerFactory>(sp => new FileLimitSafeListenerFactory(
            ActivatorUtilities.CreateInstance<SocketTransportFactory>(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FileLimitSafeListenerFactory>>()));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Explicit endpoints replace UseUrls, so HTTP is declared here too.
            var http = new Uri(options.HttpUrl);
            kestrel.Listen(ParseAddress(http.Host), http.Port, listen => listen.Use(Rest.KestrelErrorBodies.Add));
            if (options.Https.Url is { Length: > 0 } httpsUrl)
            {
                var https = new Uri(httpsUrl);
                kestrel.Listen(ParseAddress(https.Host), https.Port, listen => listen.UseHttps(TransportSecurity.ForHttps(options.Https)).Use(Rest.KestrelErrorBodies.Add));
            }

            kestrel.Listen(ParseAddress(options.Iso.Address), options.Iso.Port, listen => listen.UseConnectionHandler<IsoConnectionHandler>());
            if (options.Iso.Tls.Port != 0)
            {
                var tls = TransportSecurity.ForIso(options.Iso.Tls, kestrel.ApplicationServices.GetRequiredService<TimeProvider>());
                kestrel.Listen(ParseAddress(options.Iso.Address), options.Iso.Tls.Port, listen => listen.UseHttps(tls).UseConnectionHandler<IsoConnectionHandler>());
            }
        });
    }

    private static IPAddress ParseAddress(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" or "0.0.0.0" => IPAddress.Any,
        _ => IPAddress.Parse(host),
    };
}
