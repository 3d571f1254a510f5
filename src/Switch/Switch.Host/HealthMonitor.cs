using Npgsql;
using Switch.Adapters.Redis;

namespace Switch.Host;

/// <summary>What the last probes found, and when.</summary>
public sealed record HealthSnapshot(string? PostgresProblem, string? RedisProblem, DateTimeOffset ProbedAt)
{
    /// <summary>The switch can take payments while PostgreSQL, the system of record, answers; Redis only costs speed.</summary>
    public bool Ready => PostgresProblem is null;
}

/// <summary>
/// Probes PostgreSQL and Redis in the background, once a second, each within <see cref="ProbeTimeout"/>, and keeps
/// the result: a health request reads it and never waits on either server, however many arrive while one hangs.
/// A Redis probe still unanswered is not started again, so a stopped Redis costs one pending probe, not one a second.
/// </summary>
public sealed class HealthMonitor(NpgsqlDataSource postgres, RedisProbe redis, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private HealthSnapshot _last = new(null, null, DateTimeOffset.MinValue);
    private Task<string?>? _redisProbe;

    public HealthSnapshot Last => Volatile.Read(ref _last);

    /// <summary>Probes once before the host serves, so the first health request already has an answer.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ProbeAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await ProbeAsync(stoppingToken);
        }
    }

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (_redisProbe is null || _redisProbe.IsCompleted)
        {
            _redisProbe = redis.ProblemAsync(ProbeTimeout, CancellationToken.None);
        }

        var postgresProblem = await PostgresProblemAsync(cancellationToken);
        var redisProblem = await Task.WhenAny(_redisProbe, Task.Delay(ProbeTimeout, time, cancellationToken)) == _redisProbe
            ? await _redisProbe
            : $"no answer within {ProbeTimeout.TotalSeconds:0.#} s";
        Volatile.Write(ref _last, new HealthSnapshot(postgresProblem, redisProblem, time.GetUtcNow()));
    }

    private async Task<string?> PostgresProblemAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            await using var command = postgres.CreateCommand("select 1");
            // WaitAsync as well: a connection attempt to a stopped server may not see the token at once.
            await command.ExecuteScalarAsync(timeout.Token).WaitAsync(ProbeTimeout + ProbeTimeout, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return e is OperationCanceledException or TimeoutException ? $"no answer within {ProbeTimeout.TotalSeconds:0.#} s" : e.Message;
        }
    }
}
