namespace Switch.Host;

/// <summary>
/// A certificate with its private key: a PKCS#12 file (with <see cref="Password"/>), or PEM (the key in
/// <see cref="KeyFile"/>, or in <see cref="File"/> after the certificate).
/// </summary>
public sealed class CertificateSettings
{
    public string File { get; set; } = "";

    public string KeyFile { get; set; } = "";

    public string Password { get; set; } = "";
}

/// <summary>Whether the TLS listener asks banks for a client certificate.</summary>
public enum ClientCertificates { None, Optional, Required }

/// <summary>The second ISO 8583 listener, with TLS 1.2/1.3; off while <see cref="Port"/> is 0.</summary>
public sealed class IsoTlsOptions
{
    public int Port { get; set; }

    public CertificateSettings Certificate { get; set; } = new();

    public ClientCertificates ClientCertificate { get; set; } = ClientCertificates.None;

    /// <summary>
    /// PEM file of the CA(s) that issue banks' client certificates. Without it any certificate within its dates is
    /// accepted at the handshake: what a connection may do then rests on its fingerprint being bound to the bank.
    /// </summary>
    public string ClientCaFile { get; set; } = "";
}

/// <summary>HTTPS for the REST API and /health, next to HTTP; off while <see cref="Url"/> is empty.</summary>
public sealed class HttpsSettings
{
    public string Url { get; set; } = "";

    public CertificateSettings Certificate { get; set; } = new();
}

/// <summary>
/// Node-to-node traffic (Akka.Remote) over TLS with mutual authentication; off while <see cref="Certificate"/> has no
/// file. Every node presents its certificate and accepts a peer only with one issued by a CA in <see cref="CaFile"/>.
/// </summary>
public sealed class ClusterTlsSettings
{
    public CertificateSettings Certificate { get; set; } = new();

    /// <summary>PEM file of the CA(s) that issue the cluster's node certificates (required with TLS: a CA for the cluster only).</summary>
    public string CaFile { get; set; } = "";

    public bool Enabled => !string.IsNullOrWhiteSpace(Certificate.File);
}
