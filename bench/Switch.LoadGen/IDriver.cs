namespace Switch.LoadGen;

/// <summary>Sends operations to the switch over one edge, as the banks it holds credentials for.</summary>
public interface IDriver : IAsyncDisposable
{
    Edge Edge { get; }

    /// <summary>Requests this driver keeps in flight when run flat out.</summary>
    int Slots { get; }

    /// <summary>Sends the operation, waits for its answer and records approvals and reversals in the ledger.</summary>
    Task<Outcome> SendAsync(Operation operation, CancellationToken cancellationToken);
}
