using System.Security.Cryptography;

namespace Switch.Adapters.Secrets;

/// <summary>
/// A key check value (KCV) for comparing a key on both sides without showing it: the first 3 bytes of
/// HMAC-SHA256(key, 16 zero bytes), as 6 upper-case hex digits.
/// </summary>
public static class KeyCheckValue
{
    public static string Of(byte[] key) => Convert.ToHexString(HMACSHA256.HashData(key, new byte[16]).AsSpan(0, 3));
}
