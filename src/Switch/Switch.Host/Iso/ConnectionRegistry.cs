using System.Collections.Concurrent;

namespace Switch.Host.Iso;

/// <summary>
/// Counts open connections, in total and per remote address, so the listener's caps hold, and per bank the
/// signed-on ones, so a bank's connection limit holds across connections.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, int> _signedOn = new();
    private readonly ConcurrentDictionary<string, int> _byAddress = new();
    private int _open;
    private long _refusedSinceLogged = -1;

    public int Open => Volatile.Read(ref _open);

    /// <summary>Takes a place for a new connection from <paramref name="address"/>; null when admitted, else why not.</summary>
    public string? TryOpen(string address, int maxConnections, int maxPerAddress)
    {
        if (Interlocked.Increment(ref _open) > maxConnections)
        {
            Interlocked.Decrement(ref _open);
            return $"all {maxConnections} connections are open";
        }

        if (_byAddress.AddOrUpdate(address, 1, (_, count) => count + 1) > maxPerAddress)
        {
            Closed(address);
            return $"{address} has all {maxPerAddress} of its connections open";
        }

        return null;
    }

    public void Closed(string address)
    {
        Interlocked.Decrement(ref _open);
        // Entries at zero are removed so addresses seen once do not stay in memory.
        if (_byAddress.AddOrUpdate(address, 0, (_, count) => count - 1) <= 0)
        {
            _byAddress.TryRemove(new KeyValuePair<string, int>(address, 0));
        }
    }

    /// <summary>Counts a refused connection; true for the first of a run of refusals (the one to log).</summary>
    public bool Refused() => Interlocked.Increment(ref _refusedSinceLogged) == 0;

    /// <summary>After an admitted connection: how many were refused since refusing began, or null when none were.</summary>
    public long? Admitted()
    {
        if (Volatile.Read(ref _refusedSinceLogged) < 0)
        {
            return null;
        }

        var refused = Interlocked.Exchange(ref _refusedSinceLogged, -1);
        return refused < 0 ? null : refused + 1;
    }

    /// <summary>Takes one of the bank's connection places; false when all are taken.</summary>
    public bool TryBind(string bank, int maxConnections)
    {
        while (true)
        {
            var known = _signedOn.TryGetValue(bank, out var current);
            if (current >= maxConnections)
            {
                return false;
            }

            if (known ? _signedOn.TryUpdate(bank, current + 1, current) : _signedOn.TryAdd(bank, 1))
            {
                return true;
            }
        }
    }

    /// <summary>The bank's signed-on connections on this node.</summary>
    public int SignedOn(string bank) => _signedOn.GetValueOrDefault(bank);

    public void Unbind(string bank) => _signedOn.AddOrUpdate(bank, 0, (_, count) => Math.Max(0, count - 1));

    public IReadOnlyDictionary<string, int> SignedOnByBank() =>
        _signedOn.Where(p => p.Value > 0).ToDictionary(p => p.Key, p => p.Value);
}
