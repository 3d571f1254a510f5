namespace Switch.Adapters.Iso8583;

/// <summary>ISO 8583 data types: what characters (or bytes) a field may hold.</summary>
public enum FieldType { N, An, Ans, Z, B, Bitmap }

/// <summary>Fixed length, or a variable length announced by a 2, 3 or 4 digit prefix.</summary>
public enum LengthKind { Fixed, LL, LLL, LLLL }

/// <summary>How characters, digits or length prefixes are laid out in bytes.</summary>
public enum DataEncoding { Ascii, Bcd, Ebcdic, Binary }

/// <summary>How a field is shown in logs; anything but None hides part or all of the value.</summary>
public enum MaskStyle { None, Pan, Last4, All, Name }

/// <summary>How a shorter value fills a fixed field when packing; unpacking always expects the full length.</summary>
public enum Padding { None, LeftZeros, RightSpaces }

/// <summary>One field of a message profile. Lengths count digits for n/z, characters for an/ans, bytes for b.</summary>
public sealed record FieldSpec(
    int Number,
    string Name,
    FieldType Type,
    LengthKind LengthKind,
    int MaxLength,
    DataEncoding Encoding,
    DataEncoding PrefixEncoding,
    Padding Pad = Padding.None,
    MaskStyle Mask = MaskStyle.None,
    bool IsTlv = false,
    IReadOnlyList<string>? MaskTags = null)
{
    /// <summary>Number of digits in the length prefix (0 for fixed fields).</summary>
    public int PrefixDigits => LengthKind switch
    {
        LengthKind.LL => 2,
        LengthKind.LLL => 3,
        LengthKind.LLLL => 4,
        _ => 0,
    };

    /// <summary>Bytes the length prefix occupies on the wire.</summary>
    public int PrefixBytes => PrefixEncoding switch
    {
        DataEncoding.Bcd => (PrefixDigits + 1) / 2,
        DataEncoding.Binary => PrefixDigits == 2 ? 1 : PrefixDigits == 0 ? 0 : 2,
        _ => PrefixDigits,
    };

    /// <summary>Bytes the data occupies on the wire for a value of the given logical length.</summary>
    public int DataBytes(int length) => Encoding switch
    {
        DataEncoding.Bcd => (length + 1) / 2,
        // A binary field written in ASCII or EBCDIC carries two hex characters per byte.
        DataEncoding.Ascii or DataEncoding.Ebcdic when Type is FieldType.B or FieldType.Bitmap => length * 2,
        _ => length,
    };
}
