namespace Switch.Participants;

/// <summary>Where the switch looks banks up; the store behind it is an adapter's business.</summary>
public interface IBankDirectory
{
    /// <summary>The bank with this participant code, or null when there is none.</summary>
    ValueTask<Bank?> FindAsync(string participantCode, CancellationToken cancellationToken);

    /// <summary>The credential of the active API key with this SHA-256 (any role; with its bank for a bank's key), or null when there is none.</summary>
    ValueTask<ApiCredential?> FindByApiKeyHashAsync(byte[] apiKeyHash, CancellationToken cancellationToken);
}
