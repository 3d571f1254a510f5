using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Switch.Host;

/// <summary>The TLS settings of the switch's listeners (the ISO 8583 TLS listener, HTTPS), from its options.</summary>
public static class TransportSecurity
{
    private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>TLS for the ISO 8583 listener: the server certificate, and the client certificate as configured.</summary>
    public static HttpsConnectionAdapterOptions ForIso(IsoTlsOptions tls, TimeProvider time)
    {
        var trusted = string.IsNullOrWhiteSpace(tls.ClientCaFile) ? null : LoadCas(tls.ClientCaFile);
        return new HttpsConnectionAdapterOptions
        {
            ServerCertificate = Load(tls.Certificate, "Switch:Iso:Tls:Certificate"),
            SslProtocols = Protocols,
            ClientCertificateMode = tls.ClientCertificate switch
            {
                ClientCertificates.Optional => ClientCertificateMode.AllowCertificate,
                ClientCertificates.Required => ClientCertificateMode.RequireCertificate,
                _ => ClientCertificateMode.NoCertificate,
            },
            ClientCertificateValidation = (certificate, _, _) => IsAcceptable(certificate, trusted, time.GetUtcNow()),
        };
    }

    /// <summary>TLS for the REST API.</summary>
    public static HttpsConnectionAdapterOptions ForHttps(HttpsSettings https) => new()
    {
        ServerCertificate = Load(https.Certificate, "Switch:Https:Certificate"),
        SslProtocols = Protocols,
    };

    /// <summary>
    /// TLS between nodes: this node's certificate, presented both ways, and a peer accepted only with a certificate within
    /// its dates issued by one of the cluster's CAs. Null when cluster TLS is off.
    /// </summary>
    public static DotNettySslSetup? ForCluster(ClusterTlsSettings tls, TimeProvider time)
    {
        if (!tls.Enabled)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(tls.CaFile))
        {
            throw new InvalidOperationException("Switch:Cluster:Tls:CaFile is not set: with cluster TLS on, a node must know which CA issues the nodes' certificates.");
        }

        var trusted = LoadCas(tls.CaFile);
        return new DotNettySslSetup(Load(tls.Certificate, "Switch:Cluster:Tls:Certificate"), suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, (certificate, _, peer, _, log) =>
            {
                if (certificate is not null && IsAcceptable(certificate, trusted, time.GetUtcNow()))
                {
                    return true;
                }

                log.Warning("Refused node connection with {0}: its certificate ({1}) is not one of the cluster's", peer, certificate?.Subject ?? "none");
                return false;
            });
    }

    /// <summary>
    /// A client certificate is acceptable within its dates and, when CAs are configured, issued by one of them.
    /// Revocation is not checked: a bank's certificate is withdrawn by removing its fingerprint from the bank.
    /// </summary>
    public static bool IsAcceptable(X509Certificate2 certificate, X509Certificate2Collection? trusted, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return false;
        }

        if (trusted is null)
        {
            return true;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(certificate);
    }

    /// <summary>The SHA-256 fingerprint by which a client certificate is bound to a bank (hex, upper case).</summary>
    public static string? Fingerprint(X509Certificate2? certificate) => certificate?.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);

    public static X509Certificate2 Load(CertificateSettings settings, string name)
    {
        if (string.IsNullOrWhiteSpace(settings.File))
        {
            throw new InvalidOperationException($"{name}:File is not set.");
        }

        if (!string.IsNullOrWhiteSpace(settings.KeyFile))
        {
            return X509Certificate2.CreateFromPemFile(settings.File, settings.KeyFile);
        }

        return File.ReadAllText(settings.File).Contains("-----BEGIN", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPemFile(settings.File)
            : X509CertificateLoader.LoadPkcs12FromFile(settings.File, settings.Password);
    }

    private static X509Certificate2Collection LoadCas(string file)
    {
        var cas = new X509Certificate2Collection();
        cas.ImportFromPemFile(file);
        return cas.Count > 0 ? cas : throw new InvalidOperationException($"{file} holds no certificate.");
    }
}
