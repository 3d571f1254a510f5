using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Switch.Billing;
using Switch.Diagnostics;
using Switch.Monetary;
using Channel = System.Threading.Channels.Channel;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Hosted bills from PostgreSQL, looked up by biller and account (index bills_by_account). Lookups that arrive
/// together are answered by one query, the read-side twin of the journal's group commit: under load a query
/// carries hundreds of accounts instead of hundreds of queries each paying a round trip and a backend's time.
/// Reads are never cached, so a payment always checks the bill as committed.
/// </summary>
public sealed class PostgresBillStore : IBillStore, IAsyncDisposable
{
    private const string SelectBatch = """
        select k.i, b.id, b.bill_number, b.customer_name, b.amount_due, b.amount_paid, b.due_date, b.expiry_date, b.status, r.currency
          from unnest($1::text[], $2::text[]) with ordinality as k(biller_code, account_number, i)
          join bills b on b.biller_code = k.biller_code and b.account_number = k.account_number
          join billers r on r.code = b.biller_code
         order by k.i, b.due_date, b.id
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresBillStore> _logger;
    private readonly RepeatedFailures _failures;
    private readonly int _maxBatch;
    private readonly Channel<Lookup> _queue;
    private readonly Task[] _readers;

    /// <param name="readers">Queries in flight at once: a light load is answered without waiting for a batch to form.</param>
    public PostgresBillStore(NpgsqlDataSource dataSource, ILogger<PostgresBillStore> logger, TimeProvider time, int readers = 4, int maxBatch = 500)
    {
        _dataSource = dataSource;
        _logger = logger;
        _failures = new RepeatedFailures(time, RepeatedFailures.Interval);
        _maxBatch = maxBatch;
        _queue = Channel.CreateUnbounded<Lookup>(new UnboundedChannelOptions { SingleReader = false });
        _readers = [.. Enumerable.Range(0, readers).Select(_ => Task.Run(ReadLoopAsync))];
    }

    public Task<IReadOnlyList<Bill>> FindAsync(string billerCode, string accountNumber, CancellationToken cancellationToken)
    {
        var lookup = new Lookup(billerCode, accountNumber, new TaskCompletionSource<IReadOnlyList<Bill>>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(lookup))
        {
            throw new ObjectDisposedException(nameof(PostgresBillStore));
        }

        return lookup.Bills.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_readers);
    }

    private async Task ReadLoopAsync()
    {
        var batch = new List<Lookup>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var lookup))
            {
                batch.Add(lookup);
            }

            // Every reader waiting wakes for one lookup; those that find none taken by another go back to waiting, not
            // to PostgreSQL with nothing to ask.
            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                var found = await ReadAsync(batch);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Bills.SetResult(found[i]);
                }
            }
            catch (Exception e)
            {
                if (_failures.Next(e) is (true, var notLogged))
                {
                    _logger.LogError(e, "A lookup of {Count} accounts' bills failed ({NotLogged} lookups failed like it since the last logged)", batch.Count, notLogged);
                }

                foreach (var lookup in batch)
                {
                    lookup.Bills.SetException(e);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>The bills of each lookup, oldest due first, in the batch's order.</summary>
    private async Task<List<Bill>[]> ReadAsync(List<Lookup> batch)
    {
        await using var command = _dataSource.CreateCommand(SelectBatch);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = batch.Select(l => l.BillerCode).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = batch.Select(l => l.AccountNumber).ToArray() });
        var found = new List<Bill>[batch.Count];
        for (var i = 0; i < found.Length; i++)
        {
            found[i] = [];
        }

        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var lookup = (int)reader.GetInt64(0) - 1;
            // A bill is in its biller's currency.
            var currency = Currency.Stored(reader.GetInt16(9));
            found[lookup].Add(new Bill(reader.GetInt64(1), batch[lookup].BillerCode, batch[lookup].AccountNumber, reader.GetString(2), reader.GetString(3),
                new Money(reader.GetInt64(4), currency), new Money(reader.GetInt64(5), currency), reader.GetFieldValue<DateOnly>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateOnly>(7),
                Enum.Parse<BillStatus>(reader.GetString(8), ignoreCase: true)));
        }

        return found;
    }

    private sealed record Lookup(string BillerCode, string AccountNumber, TaskCompletionSource<IReadOnlyList<Bill>> Bills);
}
