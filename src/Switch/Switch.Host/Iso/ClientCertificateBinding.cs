using Switch.Participants;

namespace Switch.Host.Iso;

/// <summary>
/// Which bank a connection's client certificate lets it sign on as, decided without I/O. A certificate presented
/// must be one bound to the bank signing on (one certificate belongs to one bank only), so a connection holding
/// bank A's certificate can sign on as A and no one else; a bank that requires a certificate signs on only with one.
/// </summary>
public static class ClientCertificateBinding
{
    /// <param name="bank">The bank the connection asks to sign on as.</param>
    /// <param name="fingerprint">The SHA-256 of the connection's client certificate, or null without one (plain TCP included).</param>
    /// <returns>Why the bank may not sign on over this connection, or null when it may.</returns>
    public static string? Refusal(Bank bank, string? fingerprint)
    {
        if (fingerprint is null)
        {
            return bank.CertificateRequired ? $"bank {bank.Code} signs on only over TLS with its client certificate" : null;
        }

        return bank.CertificateFingerprints.Contains(fingerprint, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"the client certificate {fingerprint} is not bound to bank {bank.Code}";
    }
}
