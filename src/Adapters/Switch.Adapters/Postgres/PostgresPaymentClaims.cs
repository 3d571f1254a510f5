using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Switch.Diagnostics;
using Switch.Transactions;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Payment keys claimed by attempts in progress, as PostgreSQL session advisory locks that every node sees: a key is
/// the lock <c>hashtextextended('bank|reference|local date', 0)</c>, held by this node's claims session while its attempt
/// runs. Claims and releases are written like the journal, many per statement, on one connection kept for them; a lock
/// lives in PostgreSQL's memory only, so a claim costs neither a row, nor an index entry, nor a purge. When that
/// connection, or this node, goes, PostgreSQL frees its locks: a repeat elsewhere is then held off by nothing, and the
/// journal's unique key still lets only one attempt's row in.
/// </summary>
/// <remarks>
/// Session locks are re-entrant: a second claim of a key this session holds would succeed. The flow never makes one,
/// as it runs one attempt per key at a time in a process and releases before the next; a release is queued before the
/// next claim of the key, and a batch applies its releases first. A 64-bit hash can make two keys one lock; that costs
/// the second a wait (it looks like a repeat of the first), never a wrong answer.
/// </remarks>
public sealed class PostgresPaymentClaims : IPaymentClaims, IAsyncDisposable
{
    /// <summary>Claims this node holds at most; beyond that an attempt goes unclaimed, so the shared lock table stays small.</summary>
    public const int MaxHeld = 2_000;

    private const string ClaimBatch = """
        select pg_try_advisory_lock(hashtextextended(k, 0)) from unnest($1::text[]) with ordinality as t(k, n) order by n
        """;

    private const string ReleaseBatch = """
        select count(*) filter (where pg_advisory_unlock(hashtextextended(k, 0))) from unnest($1::text[]) as t(k)
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresPaymentClaims> _logger;
    private readonly RepeatedFailures _failures;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(20_000) { SingleReader = true });
    private readonly Task _writer;
    private NpgsqlConnection? _session;
    private int _held;

    public PostgresPaymentClaims(NpgsqlDataSource dataSource, ILogger<PostgresPaymentClaims> logger, TimeProvider time)
    {
        _dataSource = dataSource;
        _logger = logger;
        _failures = new RepeatedFailures(time, RepeatedFailures.Interval);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Claims this node holds now.</summary>
    public int Held => Volatile.Read(ref _held);

    public async Task<bool> ClaimAsync(RequestKey key, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _held) > MaxHeld)
        {
            Interlocked.Decrement(ref _held);
            throw new InvalidOperationException($"This node holds {MaxHeld} payment claims: the attempt goes unclaimed.");
        }

        var pending = new Pending(LockName(key), new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        var granted = false;
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
            granted = await pending.Claimed!.Task.WaitAsync(cancellationToken);
            return granted;
        }
        catch (OperationCanceledException)
        {
            // The attempt is gone; a claim granted after it left is given up at once, not kept until the session ends.
            _ = pending.Claimed!.Task.ContinueWith(
                claimed => { if (claimed.IsCompletedSuccessfully && claimed.Result) { Unlock(pending.Lock); } }, TaskScheduler.Default);
            throw;
        }
        finally
        {
            if (!granted)
            {
                Interlocked.Decrement(ref _held);
            }
        }
    }

    public void Release(RequestKey key)
    {
        Interlocked.Decrement(ref _held);
        Unlock(LockName(key));
    }

    private void Unlock(string name)
    {
        // The queue is bounded for claims; a release must neither wait nor be lost while the session lives.
        if (!_queue.Writer.TryWrite(new Pending(name, null)))
        {
            _ = _queue.Writer.WriteAsync(new Pending(name, null)).AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    private static string LockName(RequestKey key) => string.Concat(key.Bank, "|", key.Reference, "|", key.LocalDate);

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(1000);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < 1000 && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            var claims = batch.Where(p => p.Claimed is not null).ToList();
            try
            {
                _session ??= await _dataSource.OpenConnectionAsync();
                await ReleaseAsync(_session, [.. batch.Where(p => p.Claimed is null).Select(p => p.Lock)]);
                var granted = await ClaimAsync(_session, [.. claims.Select(p => p.Lock)]);
                for (var i = 0; i < claims.Count; i++)
                {
                    claims[i].Claimed!.SetResult(granted[i]);
                }
            }
            catch (Exception e)
            {
                // Whatever the session held is gone with it, and PostgreSQL has freed it.
                if (_failures.Next(e) is (true, var notLogged))
                {
                    _logger.LogError(e, "A batch of {Count} payment claims was not written ({NotLogged} batches failed like it since the last logged)",
                        claims.Count, notLogged);
                }

                claims.ForEach(p => p.Claimed!.TrySetException(e));
                if (_session is not null)
                {
                    await _session.DisposeAsync();
                    _session = null;
                }
            }

            batch.Clear();
        }
    }

    private static async Task<bool[]> ClaimAsync(NpgsqlConnection session, string[] locks)
    {
        if (locks.Length == 0)
        {
            return [];
        }

        await using var command = new NpgsqlCommand(ClaimBatch, session);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = locks });
        var granted = new bool[locks.Length];
        await using var reader = await command.ExecuteReaderAsync();
        for (var i = 0; await reader.ReadAsync(); i++)
        {
            granted[i] = reader.GetBoolean(0);
        }

        return granted;
    }

    private static async Task ReleaseAsync(NpgsqlConnection session, string[] locks)
    {
        if (locks.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(ReleaseBatch, session);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = locks });
        await command.ExecuteScalarAsync();
    }

    /// <summary>A claim (with the attempt waiting for it) or, with none, a release.</summary>
    private sealed record Pending(string Lock, TaskCompletionSource<bool>? Claimed);
}
