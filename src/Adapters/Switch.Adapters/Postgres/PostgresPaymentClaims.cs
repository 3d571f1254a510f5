using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Switch.Diagnostics;
using Switch.Transactions;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Payment keys claimed by attempts in progress, in PostgreSQL so every node sees them (migration 0014). Claims are
/// written like the journal, many per statement: everything waiting goes in one insert, so a claim costs a payment a
/// share of one round trip, not one of its own. A claim already held is reported with whether its holder's answer-by
/// has passed by the database's clock, the same clock that decides whether an approval is still in time.
/// </summary>
public sealed class PostgresPaymentClaims : IPaymentClaims, IAsyncDisposable
{
    /// <summary>A claim outlives its answer-by this long, for repeats that come late; then it is purged.</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromMinutes(10);

    private const string ClaimBatch = """
        with incoming as materialized (
            select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) with ordinality
              as t(bank_code, reference, local_date, attempt, answer_by, n)
        ), claimed as (
            insert into payment_claims (bank_code, reference, local_date, attempt, answer_by)
            select bank_code, reference, local_date, attempt, answer_by from incoming order by n
            on conflict do nothing
            returning bank_code, reference, local_date, attempt
        )
        select i.n, coalesce(c.answer_by <= clock_timestamp(), false)
          from incoming i
          left join claimed w using (bank_code, reference, local_date, attempt)
          left join payment_claims c on c.bank_code = i.bank_code and c.reference = i.reference and c.local_date = i.local_date
         where w.attempt is null and c.attempt is distinct from i.attempt
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresPaymentClaims> _logger;
    private readonly TimeProvider _time;
    private readonly RepeatedFailures _failures;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(20_000) { SingleReader = true });
    private readonly ConcurrentQueue<(RequestKey Key, string Attempt)> _unreleased = new();
    private readonly Task _writer;
    private DateTimeOffset _purgedAt;

    public PostgresPaymentClaims(NpgsqlDataSource dataSource, ILogger<PostgresPaymentClaims> logger, TimeProvider time)
    {
        _dataSource = dataSource;
        _logger = logger;
        _time = time;
        _failures = new RepeatedFailures(time, RepeatedFailures.Interval);
        _purgedAt = time.GetUtcNow();
        _writer = Task.Run(WriteLoopAsync);
    }

    public async Task<KeyClaim> ClaimAsync(RequestKey key, string attempt, Deadline deadline, CancellationToken cancellationToken)
    {
        var pending = new Pending(key, attempt, deadline.AnswerBy, new TaskCompletionSource<KeyClaim>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Claim.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes the attempt's claim. When the store cannot be reached (the failure that ended the attempt is often this
    /// one) the claim is kept for later: it is deleted after the next batch of claims that the store takes, so a repeat
    /// is not held off by a dead attempt for longer than the outage. Until then a repeat waits out the claim's answer-by.
    /// </summary>
    public async Task ReleaseAsync(RequestKey key, string attempt, CancellationToken cancellationToken)
    {
        try
        {
            await ReleaseNowAsync([(key, attempt)], cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            _unreleased.Enqueue((key, attempt));
            _logger.LogWarning("The claim of payment {Key} was not released ({Error}); it is released once the store takes claims again", key, e.Message);
        }
    }

    private async Task ReleaseNowAsync(IReadOnlyCollection<(RequestKey Key, string Attempt)> claims, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            delete from payment_claims c
             using unnest($1::text[], $2::text[], $3::text[], $4::text[]) as r(bank_code, reference, local_date, attempt)
             where c.bank_code = r.bank_code and c.reference = r.reference and c.local_date = r.local_date and c.attempt = r.attempt
            """);
        Add(command, NpgsqlDbType.Text, claims.Select(c => c.Key.Bank));
        Add(command, NpgsqlDbType.Text, claims.Select(c => c.Key.Reference));
        Add(command, NpgsqlDbType.Text, claims.Select(c => c.Key.LocalDate));
        Add(command, NpgsqlDbType.Text, claims.Select(c => c.Attempt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Releases the claims whose release failed, now that the store has taken a batch; those it still refuses wait for the next.</summary>
    private async Task ReleaseLeftOversAsync()
    {
        var left = new List<(RequestKey, string)>();
        while (left.Count < 1000 && _unreleased.TryDequeue(out var claim))
        {
            left.Add(claim);
        }

        if (left.Count == 0)
        {
            return;
        }

        try
        {
            await ReleaseNowAsync(left, CancellationToken.None);
            _logger.LogInformation("{Count} payment claims left by failed attempts were released", left.Count);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            left.ForEach(_unreleased.Enqueue);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(1000);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < 1000 && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                var others = await WriteAsync(batch);
                await ReleaseLeftOversAsync();
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Claim.SetResult(others.TryGetValue(i + 1, out var over) ? new KeyClaim(false, over) : new KeyClaim(true, false));
                }
            }
            catch (Exception e)
            {
                if (_failures.Next(e) is (true, var notLogged))
                {
                    _logger.LogError(e, "A batch of {Count} payment claims was not written ({NotLogged} batches failed like it since the last logged)",
                        batch.Count, notLogged);
                }

                batch.ForEach(p => p.Claim.SetException(e));
            }

            batch.Clear();
            await PurgeAsync();
        }
    }

    /// <returns>By position in <paramref name="batch"/> (from 1), each claim another attempt holds, and whether its answer-by has passed.</returns>
    private async Task<Dictionary<long, bool>> WriteAsync(List<Pending> batch)
    {
        await using var command = _dataSource.CreateCommand(ClaimBatch);
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Key.Bank));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Key.Reference));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Key.LocalDate));
        Add(command, NpgsqlDbType.Text, batch.Select(p => p.Attempt));
        Add(command, NpgsqlDbType.TimestampTz, batch.Select(p => p.AnswerBy));
        var others = new Dictionary<long, bool>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            others[reader.GetInt64(0)] = reader.GetBoolean(1);
        }

        return others;
    }

    private async Task PurgeAsync()
    {
        if (_time.GetUtcNow() - _purgedAt < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _purgedAt = _time.GetUtcNow();
        try
        {
            await using var command = _dataSource.CreateCommand("delete from payment_claims where answer_by < $1");
            command.Parameters.AddWithValue(_purgedAt - Kept);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            _logger.LogWarning("Old payment claims were not purged ({Error}); tried again in a minute", e.Message);
        }
    }

    private static void Add<T>(NpgsqlCommand command, NpgsqlDbType elementType, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | elementType, Value = values.ToArray() });

    private sealed record Pending(RequestKey Key, string Attempt, DateTimeOffset AnswerBy, TaskCompletionSource<KeyClaim> Claim);
}
