namespace Switch.Participants;

/// <summary>Where the switch looks banks up; the store behind it is an adapter's business.</summary>
public interface IBankDirectory
{
    /// <summary>The bank with this participant code, or null when there is none.</summary>
    ValueTask<Bank?> FindAsync(string participantCode, CancellationToken cancellationToken);

    /// <summary>The bank whose REST API key has this SHA-256, or null when no bank has it.</summary>
    ValueTask<Bank?> FindByApiKeyHashAsync(byte[] apiKeyHash, CancellationToken cancellationToken);
}
