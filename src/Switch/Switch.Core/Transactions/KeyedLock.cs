namespace Switch.Transactions;

/// <summary>One holder at a time per key; a key's gate exists only while someone holds or waits for it.</summary>
internal sealed class KeyedLock<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, (SemaphoreSlim Gate, int Users)> _gates = new();

    public async Task<IDisposable> AcquireAsync(TKey key, CancellationToken cancellationToken)
    {
        SemaphoreSlim gate;
        lock (_gates)
        {
            var (existing, users) = _gates.GetValueOrDefault(key);
            gate = existing ?? new SemaphoreSlim(1, 1);
            _gates[key] = (gate, users + 1);
        }

        try
        {
            await gate.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(key);
            throw;
        }

        return new Holder(this, key, gate);
    }

    private void Leave(TKey key)
    {
        lock (_gates)
        {
            var (gate, users) = _gates[key];
            if (users == 1)
            {
                _gates.Remove(key);
            }
            else
            {
                _gates[key] = (gate, users - 1);
            }
        }
    }

    private sealed class Holder(KeyedLock<TKey> owner, TKey key, SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
                owner.Leave(key);
            }
        }
    }
}
