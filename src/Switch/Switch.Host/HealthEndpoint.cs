using Npgsql;
using Switch.Adapters.Redis;
using Switch.Host.Iso;
using Switch.Host.Rest;

namespace Switch.Host;

/// <summary>
/// GET /health: 200 while the switch can take payments, 503 when PostgreSQL (the system of record) is
/// unreachable. Redis down is reported as "degraded" with 200: it costs speed, never correctness. rateLimit says
/// whether REST rate limits are counted across nodes in Redis or per node while Redis is out.
/// </summary>
public static class HealthEndpoint
{
    public static void MapHealth(this WebApplication app) => app.MapGet("/health", async (
        NpgsqlDataSource postgres, RedisProbe redis, BankRateLimiter rateLimiter, ConnectionRegistry connections, CancellationToken cancellationToken) =>
    {
        var postgresProblem = await PostgresProblemAsync(postgres, cancellationToken);
        var redisProblem = await redis.ProblemAsync();
        var status = postgresProblem is not null ? "down" : redisProblem is not null ? "degraded" : "up";
        var body = new
        {
            status,
            postgres = postgresProblem ?? "up",
            redis = redisProblem ?? "up",
            rateLimit = redisProblem is null && rateLimiter.CountsInRedis ? "redis" : "per node (Redis unavailable)",
            iso = new { connections = connections.Open, signedOn = connections.SignedOnByBank() },
        };
        return postgresProblem is null ? Results.Json(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    });

    private static async Task<string?> PostgresProblemAsync(NpgsqlDataSource postgres, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = postgres.CreateCommand("select 1");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await command.ExecuteScalarAsync(timeout.Token);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return e.Message;
        }
    }
}
