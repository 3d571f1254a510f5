using Switch.Participants;

namespace Switch.Host.Iso;

/// <summary>What one connection is: which bank it has signed on as, if any. Only network management changes it.</summary>
public sealed class IsoSession(string remote)
{
    public string Remote { get; } = remote;

    public Bank? Bank { get; set; }

    /// <summary>When the last frame arrived: a connection being drained closes once the bank has been quiet a moment.</summary>
    public DateTimeOffset LastFrameAt { get; set; }

    /// <summary>Sign-ons answered other than 00 on this connection.</summary>
    public int FailedSignOns { get; set; }

    /// <summary>The SHA-256 fingerprint of the client certificate the connection presented over TLS, or null.</summary>
    public string? ClientCertificate { get; init; }
}
