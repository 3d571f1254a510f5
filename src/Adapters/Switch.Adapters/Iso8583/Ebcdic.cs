using System.Text;

namespace Switch.Adapters.Iso8583;

/// <summary>EBCDIC (code page 037) for the printable ASCII range, the part ISO 8583 text fields use.</summary>
internal static class Ebcdic
{
    private static readonly byte[] FromAsciiTable = new byte[128];
    private static readonly byte[] ToAsciiTable = new byte[256];

    static Ebcdic()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var cp037 = Encoding.GetEncoding(37);
        Span<byte> one = stackalloc byte[1];
        for (var c = 0x20; c < 0x7F; c++)
        {
            cp037.GetBytes([(char)c], one);
            FromAsciiTable[c] = one[0];
            ToAsciiTable[one[0]] = (byte)c;
        }
    }

    /// <summary>The EBCDIC byte for a printable ASCII character, or 0 when there is none.</summary>
    public static byte FromAscii(char c) => c is >= ' ' and < (char)0x7F ? FromAsciiTable[c] : (byte)0;

    /// <summary>The printable ASCII character for an EBCDIC byte, or 0 when there is none.</summary>
    public static byte ToAscii(byte b) => ToAsciiTable[b];
}
