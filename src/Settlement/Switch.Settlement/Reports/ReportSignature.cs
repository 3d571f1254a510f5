using System.Security.Cryptography;

namespace Switch.Settlement.Reports;

/// <summary>
/// The switch's signature on a settlement report: ECDSA P-256 over SHA-256 of the report's exact bytes, DER-encoded
/// (RFC 3279), which is what <c>openssl dgst -sha256 -sign</c> makes and <c>-verify</c> checks. The private key is the
/// installation's (kept encrypted under the key-encryption key, the same on every node); its public key, as PEM, is
/// what the central bank verifies with:
/// <code>openssl dgst -sha256 -verify switch-public-key.pem -signature report.csv.sig report.csv</code>
/// </summary>
public static class ReportSignature
{
    public static byte[] Sign(ECDsa key, ReadOnlySpan<byte> report) =>
        key.SignData(report, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Whether <paramref name="signature"/> is the switch's over exactly <paramref name="report"/>.</summary>
    public static bool Verify(string publicKeyPem, ReadOnlySpan<byte> report, ReadOnlySpan<byte> signature)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(publicKeyPem);
        return key.VerifyData(report, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>The signing key from the PKCS#8 bytes the installation keeps sealed (InstallationSecrets.ReportSigningKey).</summary>
    public static ECDsa Open(byte[] pkcs8)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return key;
    }

    public static string PublicKeyPem(ECDsa key) => key.ExportSubjectPublicKeyInfoPem();
}
