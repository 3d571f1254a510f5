using System.Collections.Concurrent;

namespace Switch.Host.Actors;

/// <summary>
/// Which banks' position actors this node cannot reach now, so their requests are answered 91 at once instead of each
/// waiting out its deadline. A bank is away from when one of its reservations went unanswered while a member of the
/// cluster was unreachable, until a probe of its position is answered (its shard has come back, on whichever node).
/// Probes go out at most once per <paramref name="probeEvery"/> per bank, carried by the bank's own requests.
/// </summary>
public sealed class PositionReach(TimeProvider time, TimeSpan probeEvery)
{
    private readonly ConcurrentDictionary<string, Away> _away = new();

    public bool IsAway(string bank) => _away.ContainsKey(bank);

    /// <summary>True when the bank was not away before.</summary>
    public bool MarkAway(string bank) => _away.TryAdd(bank, new Away(time.GetUtcNow()));

    /// <summary>The bank's position answered: its requests go through again. True when it was away.</summary>
    public bool Reached(string bank) => _away.TryRemove(bank, out _);

    /// <summary>True when the bank is away and no probe of it went out within the last probe interval: the caller sends one.</summary>
    public bool ProbeDue(string bank)
    {
        if (!_away.TryGetValue(bank, out var away))
        {
            return false;
        }

        var now = time.GetUtcNow();
        return (away.LastProbe is not { } last || now - last >= probeEvery) && _away.TryUpdate(bank, away with { LastProbe = now }, away);
    }

    private sealed record Away(DateTimeOffset Since, DateTimeOffset? LastProbe = null);
}
