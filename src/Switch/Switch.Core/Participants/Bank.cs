namespace Switch.Participants;

/// <summary>A member bank as the switch knows it: its participant code (field 32) and how it must connect.</summary>
public sealed record Bank(string Code, string Name, bool IsActive, bool MacRequired, byte[]? MacKey, int MaxConnections)
{
    /// <summary>REST requests the bank may make per second, across all nodes.</summary>
    public int ApiRateLimit { get; init; } = 2000;

    /// <summary>Whether the bank may sign on only over TLS with one of its own client certificates.</summary>
    public bool CertificateRequired { get; init; }

    /// <summary>SHA-256 fingerprints (hex, upper case) of the client certificates bound to the bank; more than one during a renewal.</summary>
    public IReadOnlyList<string> CertificateFingerprints { get; init; } = [];
}
