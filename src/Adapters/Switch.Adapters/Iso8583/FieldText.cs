using System.Buffers;
using System.Text;

namespace Switch.Adapters.Iso8583;

/// <summary>Checks, encodes and decodes one field's data according to its spec. Lengths are logical (see FieldSpec).</summary>
internal static class FieldText
{
    private static readonly SearchValues<byte> AnBytes =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz "u8);
    private static readonly SearchValues<byte> ZBytes = SearchValues.Create("0123456789=D"u8);
    private static readonly SearchValues<byte> HexBytes = SearchValues.Create("0123456789ABCDEFabcdef"u8);

    /// <summary>Index of the first byte of wire data that the field type does not allow, or -1.</summary>
    public static int FindInvalid(FieldSpec spec, ReadOnlySpan<byte> raw, int length)
    {
        switch (spec.Encoding)
        {
            case DataEncoding.Binary:
                return -1;
            case DataEncoding.Bcd:
                return FindInvalidBcd(spec, raw, length);
            case DataEncoding.Ebcdic:
                for (var i = 0; i < raw.Length; i++)
                {
                    var ascii = Ebcdic.ToAscii(raw[i]);
                    if (ascii == 0 || !IsAllowed(spec.Type, ascii))
                    {
                        return i;
                    }
                }

                return -1;
            default:
                return spec.Type switch
                {
                    FieldType.N => raw.IndexOfAnyExceptInRange((byte)'0', (byte)'9'),
                    FieldType.An => raw.IndexOfAnyExcept(AnBytes),
                    FieldType.Z => raw.IndexOfAnyExcept(ZBytes),
                    FieldType.B or FieldType.Bitmap => raw.IndexOfAnyExcept(HexBytes),
                    // ans: printable ASCII only (the spec's fields are ASCII); control bytes and bytes above 0x7E are not text.
                    _ => raw.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E),
                };
        }
    }

    public static bool IsAllowed(FieldType type, int c) => type switch
    {
        FieldType.N => c is >= '0' and <= '9',
        FieldType.An => c is (>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or ' ',
        FieldType.Z => c is (>= '0' and <= '9') or '=' or 'D',
        FieldType.B or FieldType.Bitmap => char.IsAsciiHexDigit((char)c),
        _ => c is >= 0x20 and <= 0x7E,
    };

    /// <summary>The field as text: digits or characters, hex for binary data.</summary>
    public static string Decode(FieldSpec spec, ReadOnlySpan<byte> raw, int length)
    {
        if (spec.Type is FieldType.B or FieldType.Bitmap && spec.Encoding == DataEncoding.Binary)
        {
            return Convert.ToHexString(raw);
        }

        if (spec.Encoding == DataEncoding.Ascii)
        {
            var text = spec.Type == FieldType.Ans ? Encoding.UTF8.GetString(raw) : Encoding.Latin1.GetString(raw);
            return spec.Type == FieldType.B ? text.ToUpperInvariant() : text;
        }

        var chars = spec.Encoding == DataEncoding.Bcd ? length : raw.Length;
        Span<char> buffer = chars <= 1024 ? stackalloc char[chars] : new char[chars];
        return new string(buffer[..DecodeDigits(spec, raw, length, buffer)]);
    }

    /// <summary>Decodes BCD, EBCDIC or ASCII data into characters without allocating; returns the count.</summary>
    public static int DecodeDigits(FieldSpec spec, ReadOnlySpan<byte> raw, int length, Span<char> destination)
    {
        switch (spec.Encoding)
        {
            case DataEncoding.Bcd:
                // n is padded with a leading 0 nibble when odd, z with a trailing F nibble.
                var skip = spec.Type == FieldType.N ? (raw.Length * 2) - length : 0;
                for (var i = 0; i < length; i++)
                {
                    var nibbleIndex = i + skip;
                    var b = raw[nibbleIndex / 2];
                    var nibble = nibbleIndex % 2 == 0 ? b >> 4 : b & 0x0F;
                    destination[i] = nibble == 0x0D ? '=' : (char)('0' + nibble);
                }

                return length;
            case DataEncoding.Ebcdic:
                for (var i = 0; i < raw.Length; i++)
                {
                    destination[i] = (char)Ebcdic.ToAscii(raw[i]);
                }

                return raw.Length;
            default:
                for (var i = 0; i < raw.Length; i++)
                {
                    destination[i] = (char)raw[i];
                }

                return raw.Length;
        }
    }

    /// <summary>Logical length of a text value as the field counts it (UTF-8 bytes for ASCII ans).</summary>
    public static int LengthOf(FieldSpec spec, ReadOnlySpan<char> text) =>
        spec.Type == FieldType.Ans && spec.Encoding == DataEncoding.Ascii && !Ascii.IsValid(text)
            ? Encoding.UTF8.GetByteCount(text)
            : text.Length;

    /// <summary>Index of the first character the field does not allow, or -1 (used for BCD and EBCDIC data).</summary>
    public static int FindInvalid(FieldSpec spec, ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var allowed = IsAllowed(spec.Type, c)
                && (spec.Encoding != DataEncoding.Ebcdic || Ebcdic.FromAscii(c) != 0)
                && (spec.Encoding != DataEncoding.Bcd || c != 'D');
            if (!allowed)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Writes text as wire data; destination is exactly DataBytes(length) long. False when a character of a
    /// non-ans ASCII field is not ASCII (BCD and EBCDIC text is checked before).
    /// </summary>
    public static bool Encode(FieldSpec spec, ReadOnlySpan<char> text, Span<byte> destination)
    {
        switch (spec.Encoding)
        {
            case DataEncoding.Bcd:
                destination.Clear();
                var odd = text.Length % 2 == 1;
                var offset = spec.Type == FieldType.N && odd ? 1 : 0;
                for (var i = 0; i < text.Length; i++)
                {
                    var nibble = text[i] == '=' ? 0x0D : text[i] - '0';
                    var index = i + offset;
                    destination[index / 2] |= (byte)(index % 2 == 0 ? nibble << 4 : nibble);
                }

                if (spec.Type == FieldType.Z && odd)
                {
                    destination[^1] |= 0x0F;
                }

                break;
            case DataEncoding.Ebcdic:
                for (var i = 0; i < text.Length; i++)
                {
                    destination[i] = Ebcdic.FromAscii(text[i]);
                }

                break;
            default:
                if (spec.Type == FieldType.Ans)
                {
                    Encoding.UTF8.GetBytes(text, destination);
                }
                else
                {
                    return Ascii.FromUtf16(text, destination, out _) == OperationStatus.Done;
                }

                break;
        }

        return true;
    }

    private static int FindInvalidBcd(FieldSpec spec, ReadOnlySpan<byte> raw, int length)
    {
        var padded = (raw.Length * 2) - length;
        for (var i = 0; i < raw.Length * 2; i++)
        {
            var nibble = i % 2 == 0 ? raw[i / 2] >> 4 : raw[i / 2] & 0x0F;
            var isPad = padded == 1 && (spec.Type == FieldType.N ? i == 0 : i == (raw.Length * 2) - 1);
            var ok = isPad ? nibble is 0 or 0x0F : nibble <= 9 || (spec.Type == FieldType.Z && nibble == 0x0D);
            if (!ok)
            {
                return i / 2;
            }
        }

        return -1;
    }
}
