using System.Globalization;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Tls;

/// <summary>
/// The host with the ISO 8583 TLS listener (client certificates optional, issued by a CA made for the run) and HTTPS.
/// The switch's certificates are written to a temporary folder as it would read them in production: PEM for ISO 8583,
/// PKCS#12 with a password for HTTPS.
/// </summary>
public sealed class TlsHostFixture : HostFixture
{
    private const string PfxPassword = "test-only";

    private readonly string _folder = Directory.CreateTempSubdirectory("switch-tls-").FullName;

    public TestCertificates Certificates { get; } = new();

    public int TlsPort { get; } = FreePort();

    public int HttpsPort { get; } = FreePort();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings
    {
        get
        {
            var ca = Path.Combine(_folder, "bank-ca.pem");
            File.WriteAllText(ca, Certificates.CaPem);
            var iso = TestCertificates.WritePem(Certificates.Server(), Path.Combine(_folder, "iso.pem"));
            var https = Path.Combine(_folder, "https.pfx");
            File.WriteAllBytes(https, Certificates.Server().Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, PfxPassword));
            return new Dictionary<string, string?>
            {
                ["Switch:Iso:Tls:Port"] = TlsPort.ToString(CultureInfo.InvariantCulture),
                ["Switch:Iso:Tls:Certificate:File"] = iso,
                ["Switch:Iso:Tls:ClientCertificate"] = "optional",
                ["Switch:Iso:Tls:ClientCaFile"] = ca,
                ["Switch:Https:Url"] = $"https://127.0.0.1:{HttpsPort}",
                ["Switch:Https:Certificate:File"] = https,
                ["Switch:Https:Certificate:Password"] = PfxPassword,
            };
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Certificates.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
