using System.Collections.Concurrent;

namespace Switch.Host.Iso;

/// <summary>Counts open connections and, per bank, signed-on ones, so a bank's connection limit holds across connections.</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, int> _signedOn = new();
    private int _open;

    public int Open => Volatile.Read(ref _open);

    public void Opened() => Interlocked.Increment(ref _open);

    public void Closed() => Interlocked.Decrement(ref _open);

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

    public void Unbind(string bank) => _signedOn.AddOrUpdate(bank, 0, (_, count) => Math.Max(0, count - 1));

    public IReadOnlyDictionary<string, int> SignedOnByBank() =>
        _signedOn.Where(p => p.Value > 0).ToDictionary(p => p.Key, p => p.Value);
}
