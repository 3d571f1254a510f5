using System.Collections.Concurrent;

namespace Switch.Transactions;

/// <summary>
/// A node's approval codes (field 38): unique among a bank's codes of a day by construction, and unpredictable. Each
/// bank's day has one counter in the database, which hands out numbers in blocks; a node turns each number it holds
/// into a code through the bank's and day's <see cref="ApprovalCodePermutation"/>. No two nodes and no two starts of
/// one node ever hold the same number, so no code is handed out twice, and nothing in the journal has to check it. The
/// next block is fetched when half of the current one is used, off the payment's path; a node that stops only leaves
/// numbers unused.
/// <para>
/// The day is the UTC date on this node's clock when the code is handed out, which is when the flow approves the
/// payment, moments before its commit. An approval handed its code just before midnight UTC whose commit lands just after
/// it is journaled (created_at) on the new day with a code of the day before: codes are unique per bank among the codes
/// of the day they were handed out on, so one of those few may equal a code of the new day.
/// </para>
/// </summary>
public sealed class ApprovalCodes(IApprovalCodeBlocks blocks, Func<byte[]> secret, TimeProvider time, int blockSize = 1000)
{
    private readonly ConcurrentDictionary<(string Bank, DateOnly Day), Counter> _counters = new();

    /// <summary>The day under which a code handed out at <paramref name="at"/> is unique.</summary>
    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    public async ValueTask<string> NextAsync(string bank, CancellationToken cancellationToken)
    {
        var day = DayOf(time.GetUtcNow());
        var counter = _counters.GetOrAdd((bank, day), Open);
        while (true)
        {
            var number = -1L;
            Task<long>? ahead = null;
            lock (counter)
            {
                if (counter.Next < counter.End)
                {
                    number = counter.Next++;
                    if (counter.End - counter.Next == blockSize / 2)
                    {
                        counter.Ahead ??= TakeBlock(bank, day);
                    }
                }
                else
                {
                    // A block fetched ahead that failed is fetched again: the failure a caller sees is always a fresh one.
                    ahead = counter.Ahead is { IsFaulted: false } fetching ? fetching : counter.Ahead = TakeBlock(bank, day);
                }
            }

            if (ahead is null)
            {
                return counter.Permutation.Code(number);
            }

            var start = await ahead.WaitAsync(cancellationToken);
            lock (counter)
            {
                if (counter.Ahead == ahead)
                {
                    counter.Ahead = null;
                    (counter.Next, counter.End) = (start, Math.Min(start + blockSize, ApprovalCodePermutation.Size));
                }
            }
        }
    }

    private Counter Open((string Bank, DateOnly Day) key)
    {
        // A day's counters are dropped once a later day's is opened: nothing hands out their codes any more.
        foreach (var old in _counters.Keys.Where(k => k.Day < key.Day))
        {
            _counters.TryRemove(old, out _);
        }

        return new Counter(ApprovalCodePermutation.For(secret(), key.Bank, key.Day));
    }

    private Task<long> TakeBlock(string bank, DateOnly day)
    {
        var block = Task.Run(async () =>
        {
            var start = await blocks.TakeAsync(bank, day, blockSize, CancellationToken.None);
            return start < ApprovalCodePermutation.Size
                ? start
                : throw new InvalidOperationException($"Bank {bank} has been handed every approval code of {day:yyyy-MM-dd}.");
        });
        // A block fetched ahead may fail while nobody waits for it: it is fetched again when it is needed, and its failure
        // is observed here rather than reported as unobserved.
        _ = block.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        return block;
    }

    private sealed class Counter(ApprovalCodePermutation permutation)
    {
        public ApprovalCodePermutation Permutation { get; } = permutation;

        public long Next;
        public long End;
        public Task<long>? Ahead;
    }
}

/// <summary>The counters of approval code numbers, one per bank per day, shared by every node.</summary>
public interface IApprovalCodeBlocks
{
    /// <summary>
    /// Takes the next <paramref name="size"/> numbers of the bank's counter for <paramref name="day"/> (from 0) and
    /// returns the first: nobody else, on any node, ever gets any of them.
    /// </summary>
    Task<long> TakeAsync(string bank, DateOnly day, int size, CancellationToken cancellationToken);
}
