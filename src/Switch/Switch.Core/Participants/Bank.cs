namespace Switch.Participants;

/// <summary>A member bank as the switch knows it: its participant code (field 32) and how it must connect.</summary>
/// <param name="MacKey">The bank's current MAC key.</param>
public sealed record Bank(string Code, string Name, bool IsActive, bool MacRequired, byte[]? MacKey, int MaxConnections)
{
    /// <summary>REST requests the bank may make per second, across all nodes.</summary>
    public int ApiRateLimit { get; init; } = 2000;

    /// <summary>
    /// A rotated key the bank has not yet signed on with: accepted next to <see cref="MacKey"/> until the bank signs
    /// on under it (then it becomes current) or the rotation's overlap ends.
    /// </summary>
    public NextMacKey? NextMacKey { get; init; }

    /// <summary>The key, current or next, under which <paramref name="verifies"/> holds; null when neither does.</summary>
    public byte[]? MacKeyVerifying(Func<byte[], bool> verifies) =>
        MacKey is { } current && verifies(current) ? current
        : NextMacKey is { } next && verifies(next.Key) ? next.Key
        : null;

    /// <summary>Whether the bank may sign on only over TLS with one of its own client certificates.</summary>
    public bool CertificateRequired { get; init; }

    /// <summary>SHA-256 fingerprints (hex, upper case) of the client certificates bound to the bank; more than one during a renewal.</summary>
    public IReadOnlyList<string> CertificateFingerprints { get; init; } = [];
}

/// <summary>A bank's next MAC key and its version in the key store.</summary>
public sealed record NextMacKey(int Version, byte[] Key);
