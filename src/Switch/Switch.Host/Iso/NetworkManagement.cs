using Switch.Participants;

namespace Switch.Host.Iso;

/// <summary>What the switch does with a 0800, decided without I/O so the rules can be tested directly.</summary>
public static class NetworkManagement
{
    public const string SignOn = "001";
    public const string SignOff = "002";
    public const string Echo = "301";

    /// <param name="signedOnAs">The bank the connection is signed on as, or null.</param>
    /// <param name="claimed">The bank named in field 32, looked up (null if absent or unknown).</param>
    /// <param name="field32">Field 32 as received.</param>
    /// <param name="macValid">Whether field 128 verifies under the claimed bank's key.</param>
    /// <param name="placeFree">Whether the claimed bank may open one more signed-on connection.</param>
    /// <param name="clientCertificate">The fingerprint of the connection's client certificate, or null (see <see cref="ClientCertificateBinding"/>).</param>
    public static Decision Decide(string? code, Bank? signedOnAs, string? field32, Bank? claimed, bool macValid, bool placeFree, string? clientCertificate = null)
    {
        if (code is null)
        {
            return new(ResponseCodes.FormatError, SessionChange.None, "field 70 is missing");
        }

        if (code is not (SignOn or SignOff or Echo))
        {
            return new(ResponseCodes.InvalidTransaction, SessionChange.None, $"network management code {code} is not supported");
        }

        if (signedOnAs is not null && field32 is not null && field32 != signedOnAs.Code)
        {
            return new(ResponseCodes.SecurityViolation, SessionChange.None, $"field 32 {field32} is not the signed-on bank {signedOnAs.Code}");
        }

        // An echo or sign-off before sign-on is a line test; nothing is bound, so nothing to check.
        if (code != SignOn && signedOnAs is null)
        {
            return new(ResponseCodes.Approved, SessionChange.None, null);
        }

        var bank = code == SignOn ? claimed : signedOnAs!;
        if (code == SignOn && field32 is null)
        {
            return new(ResponseCodes.FormatError, SessionChange.None, "sign-on without field 32");
        }

        if (bank is null || !bank.IsActive)
        {
            return new(ResponseCodes.SecurityViolation, SessionChange.None, bank is null ? $"no bank {field32}" : $"bank {bank.Code} is suspended");
        }

        if (bank.MacRequired && !macValid)
        {
            return new(ResponseCodes.SecurityViolation, SessionChange.None, "MAC missing or wrong");
        }

        if (code == SignOn && ClientCertificateBinding.Refusal(bank, clientCertificate) is { } certificateRefusal)
        {
            return new(ResponseCodes.SecurityViolation, SessionChange.None, certificateRefusal);
        }

        return code switch
        {
            SignOn when signedOnAs is not null => new(ResponseCodes.Approved, SessionChange.None, null),
            SignOn when !placeFree => new(ResponseCodes.Unavailable, SessionChange.None, $"bank {bank.Code} has all {bank.MaxConnections} connections signed on"),
            SignOn => new(ResponseCodes.Approved, SessionChange.Bind, null),
            SignOff => new(ResponseCodes.Approved, SessionChange.Unbind, null),
            _ => new(ResponseCodes.Approved, SessionChange.None, null),
        };
    }

    public enum SessionChange { None, Bind, Unbind }

    /// <param name="Why">For the log when the answer is not 00.</param>
    public sealed record Decision(string ResponseCode, SessionChange Change, string? Why);
}
