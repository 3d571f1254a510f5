using Switch.Host.Actors;
using Switch.Host.Iso;
using Switch.Host.Rest;

namespace Switch.Host;

/// <summary>
/// Anonymous probes for load balancers and orchestrators, answered from <see cref="HealthMonitor"/>'s last result
/// without waiting on anything and revealing nothing but up or down: GET /health/live (200 while the process
/// serves HTTP), GET /health/ready and GET /health (200 while the switch can take payments, 503 while PostgreSQL is
/// unreachable; Redis down costs speed, not readiness). What is wrong, and which banks are connected, is for
/// operators: GET /api/v1/operator/status.
/// </summary>
public static class HealthEndpoint
{
    public static void AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HealthMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
    }

    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/health/live", () => Results.Json(new { status = "up" })).ExcludeFromDescription();
        app.MapGet("/health/ready", Ready).ExcludeFromDescription();
        app.MapGet("/health", Ready).ExcludeFromDescription();
    }

    /// <summary>The detailed status: what each dependency's last probe found, how rate limits are counted, who is connected, the cluster as this node sees it.</summary>
    public static object Status(HealthMonitor monitor, BankRateLimiter rateLimiter, ConnectionRegistry connections, SwitchActors actors)
    {
        var last = monitor.Last;
        return new
        {
            status = !last.Ready ? "down" : last.RedisProblem is not null ? "degraded" : "up",
            probedAt = last.ProbedAt,
            postgres = last.PostgresProblem ?? "up",
            redis = last.RedisProblem ?? "up",
            rateLimit = last.RedisProblem is null && rateLimiter.CountsInRedis ? "redis" : "per node (Redis unavailable)",
            iso = new { connections = connections.Open, signedOn = connections.SignedOnByBank() },
            cluster = ClusterStatus(actors),
        };
    }

    private static object ClusterStatus(SwitchActors actors)
    {
        var cluster = Akka.Cluster.Cluster.Get(actors.System);
        var state = cluster.State;
        return new
        {
            self = cluster.SelfAddress.ToString(),
            leader = state.Leader?.ToString(),
            members = state.Members.Select(m => new { address = m.Address.ToString(), status = m.Status.ToString().ToLowerInvariant() }),
            unreachable = state.Unreachable.Select(m => m.Address.ToString()),
        };
    }

    private static IResult Ready(HealthMonitor monitor) =>
        monitor.Last.Ready ? Results.Json(new { status = "up" }) : Results.Json(new { status = "down" }, statusCode: StatusCodes.Status503ServiceUnavailable);
}
