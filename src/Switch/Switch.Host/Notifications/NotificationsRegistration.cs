using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Adapters.Secrets;
using Switch.Host.Actors;

namespace Switch.Host.Notifications;

/// <summary>The biller notifiers (docs/biller-api.md): the outbox reader and its notifiers as a cluster singleton.</summary>
public static class NotificationsRegistration
{
    public const string SingletonName = "biller-notifiers";

    public static void AddBillerNotifications(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(NotificationOptions.Section).Get<NotificationOptions>() ?? new NotificationOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new PostgresBillerNotifications(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<KeyEncryptionKey>()));
        builder.Services.AddHostedService<NotifierStarter>();
    }

    /// <summary>
    /// Starts the singleton once the actor system is up (hosted services start after SwitchActors, see SwitchHost.StartAsync).
    /// One HTTP client for every biller: its pooled connections are reused request after request.
    /// </summary>
    private sealed class NotifierStarter(SwitchActors actors, PostgresBillerNotifications store, NotificationOptions options, TimeProvider time) : IHostedService
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(3),
            MaxConnectionsPerServer = 64,
            AllowAutoRedirect = false,
        }) { Timeout = Timeout.InfiniteTimeSpan };

        public Task StartAsync(CancellationToken cancellationToken)
        {
            var system = actors.System;
            system.ActorOf(ClusterSingletonManager.Props(BillerNotifiers.Props(store, options, time, _http), PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system)), SingletonName);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
