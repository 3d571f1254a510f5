using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Tls;

/// <summary>
/// The TLS listener and HTTPS on the real host: a client certificate is bound to its bank, so it signs on as that bank
/// only, and a bank bound to certificates signs on with one of them only.
/// </summary>
public class IsoTlsTests(TlsHostFixture host) : IClassFixture<TlsHostFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Sign_on_over_tls_with_the_banks_own_certificate_is_approved_and_the_bank_can_pay()
    {
        var (bank, certificate) = await CertificateBankAsync(required: true);
        var (account, amount) = await TestData.OpenBill(Postgres);
        await using var connection = await ConnectTlsAsync(certificate);

        Assert.Equal("00", (await connection.SendAsync(Network(bank, "001"), Wait)).GetString(39));
        Assert.Equal("00", (await connection.SendAsync(Payment(bank, account, amount), Wait)).GetString(39));
    }

    [Fact]
    public async Task Sign_on_with_another_banks_certificate_is_63()
    {
        var (_, certificateOfA) = await CertificateBankAsync(required: true);
        var (bankB, _) = await CertificateBankAsync(required: true);
        var bankC = await TestData.Bank(Postgres, cap: 100_000_000);
        await using var connection = await ConnectTlsAsync(certificateOfA);

        Assert.Equal("63", (await connection.SendAsync(Network(bankB, "001"), Wait)).GetString(39));
        Assert.Equal("63", (await connection.SendAsync(Network(bankC, "001"), Wait)).GetString(39));
        Assert.Equal("91", (await connection.SendAsync(Inquiry(bankB), Wait)).GetString(39));
    }

    [Fact]
    public async Task Sign_on_over_tls_without_a_certificate_is_63_for_a_bank_that_requires_one()
    {
        var (bank, _) = await CertificateBankAsync(required: true);
        var plainBank = await TestData.Bank(Postgres, cap: 100_000_000);
        await using var connection = await ConnectTlsAsync(clientCertificate: null);

        Assert.Equal("63", (await connection.SendAsync(Network(bank, "001"), Wait)).GetString(39));
        Assert.Equal("00", (await connection.SendAsync(Network(plainBank, "001"), Wait)).GetString(39));
    }

    [Fact]
    public async Task Sign_on_over_plain_tcp_is_63_for_a_bank_that_requires_a_certificate()
    {
        var (bank, _) = await CertificateBankAsync(required: true);
        await using var connection = await IsoClient.ConnectAsync("127.0.0.1", host.IsoPort);

        Assert.Equal("63", (await connection.SendAsync(Network(bank, "001"), Wait)).GetString(39));
    }

    [Fact]
    public async Task A_certificate_not_issued_by_the_configured_ca_does_not_get_through()
    {
        var (bank, _) = await CertificateBankAsync(required: true);
        using var otherCa = new TestCertificates("Someone Else's CA");
        using var foreign = otherCa.Client(bank);
        await Postgres.Scalar<int>("insert into bank_certificates (sha256, bank_code) values ($1, $2) returning 1", foreign.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256), bank);

        // Over TLS 1.3 the client may finish its handshake before the switch's refusal arrives, so the refusal shows
        // either at the handshake or as the connection closing on the first request.
        var refused = await Record.ExceptionAsync(async () =>
        {
            await using var connection = await ConnectTlsAsync(foreign);
            await connection.SendAsync(Network(bank, "001"), Wait);
        });

        Assert.True(refused is AuthenticationException or IOException, $"expected the handshake to fail, got {refused?.GetType().Name ?? "a response"}");
    }

    [Fact]
    public async Task Rest_api_answers_over_https()
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, _) => host.Certificates.Trusts(certificate) },
        })
        {
            BaseAddress = new Uri($"https://127.0.0.1:{host.HttpsPort}/api/v1/"),
            Timeout = Wait,
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "billers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"demo-key-{PlainBank}");

        using var response = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ELECT", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A new bank with a certificate of its own from the test CA bound to it.</summary>
    private async Task<(string Bank, X509Certificate2 Certificate)> CertificateBankAsync(bool required)
    {
        var bank = await TestData.Bank(Postgres, cap: 100_000_000);
        var certificate = host.Certificates.Client(bank);
        await using var batch = Postgres.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("insert into bank_certificates (sha256, bank_code) values ($1, $2)")
        {
            Parameters = { new() { Value = certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256) }, new() { Value = bank } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("update banks set certificate_required = $1 where code = $2")
        {
            Parameters = { new() { Value = required }, new() { Value = bank } },
        });
        await batch.ExecuteNonQueryAsync();
        return (bank, certificate);
    }

    private Task<IsoClient> ConnectTlsAsync(X509Certificate2? clientCertificate) =>
        IsoClient.ConnectTlsAsync("127.0.0.1", host.TlsPort, host.Certificates.ClientOptions(clientCertificate));
}
