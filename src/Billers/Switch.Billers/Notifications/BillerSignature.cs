using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switch.Billers.Notifications;

/// <summary>
/// The signature of every request between the switch and a biller, and of every answer (docs/biller-api.md,
/// "Signing"): HMAC-SHA256 under the biller's key over a canonical string that names the method, the path, the
/// timestamp and the SHA-256 of the body, so nothing of a request can be changed or replayed outside its window.
/// An answer's string also names the request's signature, so an answer cannot be passed off for another request.
/// </summary>
public static class BillerSignature
{
    public const string TimestampHeader = "X-Switch-Timestamp";
    public const string SignatureHeader = "X-Switch-Signature";
    public const string KeyIdHeader = "X-Switch-Key-Id";
    public const string AnswerTimestampHeader = "X-Biller-Timestamp";
    public const string AnswerSignatureHeader = "X-Biller-Signature";

    /// <summary>How far a signed timestamp may be from the verifier's clock, either way.</summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    /// <summary>Keys are 32 random bytes.</summary>
    public const int KeyLength = 32;

    public static string RequestCanonical(string method, string pathAndQuery, long timestamp, ReadOnlySpan<byte> body) =>
        $"SWITCH-HMAC-SHA256\n{method.ToUpperInvariant()}\n{pathAndQuery}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{BodyHash(body)}";

    public static string AnswerCanonical(int status, string requestSignature, long timestamp, ReadOnlySpan<byte> body) =>
        $"SWITCH-HMAC-SHA256-ANSWER\n{status.ToString(CultureInfo.InvariantCulture)}\n{requestSignature}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{BodyHash(body)}";

    public static string SignRequest(byte[] key, string method, string pathAndQuery, long timestamp, ReadOnlySpan<byte> body) =>
        Sign(key, RequestCanonical(method, pathAndQuery, timestamp, body));

    public static string SignAnswer(byte[] key, int status, string requestSignature, long timestamp, ReadOnlySpan<byte> body) =>
        Sign(key, AnswerCanonical(status, requestSignature, timestamp, body));

    /// <summary>Lowercase hex of HMAC-SHA256(key, UTF-8 of the canonical string).</summary>
    public static string Sign(byte[] key, string canonical) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(canonical)));

    public static string BodyHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>Whether <paramref name="signature"/> is the one for <paramref name="canonical"/>, in constant time.</summary>
    public static bool Matches(byte[] key, string canonical, string? signature)
    {
        if (signature is null || signature.Length != 64)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(key, canonical));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>Parses a timestamp header (Unix seconds, digits only) and checks it lies within the replay window of now.</summary>
    public static bool InWindow(string? header, DateTimeOffset now, out long timestamp)
    {
        timestamp = 0;
        if (header is null || header.Length is 0 or > 12 || !header.All(char.IsAsciiDigit)
            || !long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
        {
            return false;
        }

        return Math.Abs(now.ToUnixTimeSeconds() - timestamp) <= (long)ReplayWindow.TotalSeconds;
    }
}
