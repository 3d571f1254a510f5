using System.Security.Cryptography;
using System.Text;

namespace Switch.Transactions;

/// <summary>
/// Receipt codes (spec RV, REST receiptCode): HMAC-SHA256 of the switch reference under the installation's receipt
/// secret, its first 60 bits written as 12 characters of an alphabet without look-alikes (digits 2-9 and the upper-case
/// letters but I and O). Only the switch can make one, so a code that verifies proves the switch approved that payment;
/// guessing one takes 2^59 tries on average, and the verify endpoint is rate limited per caller.
/// </summary>
public sealed class ReceiptCodes
{
    public const int Length = 12;
    public const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    private readonly Lazy<byte[]> _secret;

    public ReceiptCodes(byte[] secret)
        : this(() => secret) => _ = _secret.Value;

    /// <param name="secret">Read at the first code: the host is built before it reads its secrets from the database.</param>
    public ReceiptCodes(Func<byte[]> secret) =>
        _secret = new Lazy<byte[]>(() => secret() is { Length: >= 32 } bytes
            ? bytes.ToArray()
            : throw new ArgumentException("A receipt secret has at least 32 bytes.", nameof(secret)));

    public string For(string switchReference)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret.Value, Encoding.ASCII.GetBytes(switchReference), mac);
        var bits = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(mac);
        Span<char> code = stackalloc char[Length];
        for (var i = 0; i < Length; i++)
        {
            code[i] = Alphabet[(int)((bits >> (64 - 5 * (i + 1))) & 31)];
        }

        return new string(code);
    }

    /// <summary>Whether <paramref name="code"/> is this reference's receipt code; compared in constant time.</summary>
    public bool Verify(string switchReference, string code) =>
        code.Length == Length && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(For(switchReference)), Encoding.ASCII.GetBytes(code));
}
