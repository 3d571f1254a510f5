using System.Buffers.Binary;
using System.Text;

namespace Switch.Adapters.Iso8583;

public sealed partial class IsoCodec
{
    private int Pack(IsoMessage message, Span<byte> destination, out int macStart)
    {
        macStart = -1;
        var position = WriteMti(message.Mti, destination);
        var primary = message.PrimaryBitmap;
        var secondary = message.SecondaryBitmap;
        position += WriteBitmap(primary, destination, position, null);
        if (secondary != 0)
        {
            position += WriteBitmap(secondary, destination, position, 1);
        }

        WriteFields(message, primary & ~FirstBit, 1, destination, ref position, ref macStart);
        WriteFields(message, secondary, 65, destination, ref position, ref macStart);
        return position;
    }

    private int WriteMti(string mti, Span<byte> destination)
    {
        if (mti.Length != 4 || mti.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw new IsoCodecException(null, 0, $"the MTI must be 4 digits, not '{mti}'");
        }

        var size = Profile.MtiBytes;
        Ensure(destination, 0, size, null);
        for (var i = 0; i < 4; i++)
        {
            var digit = mti[i] - '0';
            switch (Profile.MtiEncoding)
            {
                case DataEncoding.Bcd:
                    destination[i / 2] = (byte)(i % 2 == 0 ? digit << 4 : destination[i / 2] | digit);
                    break;
                case DataEncoding.Ebcdic:
                    destination[i] = (byte)(0xF0 + digit);
                    break;
                default:
                    destination[i] = (byte)mti[i];
                    break;
            }
        }

        return size;
    }

    private int WriteBitmap(ulong bitmap, Span<byte> destination, int position, int? field)
    {
        var size = Profile.BitmapBytes;
        Ensure(destination, position, size, field);
        WriteBitmapBytes(bitmap, destination.Slice(position, size), Profile.BitmapEncoding);
        return size;
    }

    private void WriteFields(IsoMessage message, ulong bits, int firstField, Span<byte> destination, ref int position, ref int macStart)
    {
        while (bits != 0)
        {
            var field = NextField(ref bits, firstField);
            var spec = Profile[field]
                ?? throw new IsoCodecException(field, position, $"profile '{Profile.Name}' does not define field {field}");
            if (field == MacField)
            {
                macStart = position;
            }

            if (spec.Type == FieldType.B)
            {
                WriteBinaryField(spec, message.Get(field)!, destination, ref position);
            }
            else
            {
                var text = message.Get(field) as string
                    ?? throw new IsoCodecException(field, position, $"a {spec.Type.ToString().ToLowerInvariant()} field needs a text value");
                WriteTextField(spec, text, destination, ref position);
            }
        }
    }

    private static void WriteTextField(FieldSpec spec, string value, Span<byte> destination, ref int position)
    {
        var length = FieldText.LengthOf(spec, value);
        scoped ReadOnlySpan<char> text = value;
        Span<char> padded = stackalloc char[spec.LengthKind == LengthKind.Fixed && length < spec.MaxLength && spec.Pad != Padding.None ? spec.MaxLength : 0];
        if (padded.Length > 0)
        {
            var fill = spec.Pad == Padding.LeftZeros ? '0' : ' ';
            padded.Fill(fill);
            text.CopyTo(spec.Pad == Padding.LeftZeros ? padded[(spec.MaxLength - length)..] : padded);
            text = padded;
            length = spec.MaxLength;
        }

        CheckLength(spec, length, position);
        // BCD and EBCDIC are checked as characters; ASCII is checked below as bytes, after encoding.
        var invalid = spec.Encoding == DataEncoding.Ascii ? -1 : FieldText.FindInvalid(spec, text);
        if (invalid >= 0)
        {
            throw InvalidCharacter(spec, text, invalid, position);
        }

        WriteLengthPrefix(spec, length, destination, ref position);
        var bytes = spec.DataBytes(length);
        Ensure(destination, position, bytes, spec.Number);
        var data = destination.Slice(position, bytes);
        if (!FieldText.Encode(spec, text, data))
        {
            throw InvalidCharacter(spec, text, text.IndexOfAnyExceptInRange((char)0, (char)0x7F), position);
        }

        if (spec.Encoding == DataEncoding.Ascii)
        {
            // ASCII data is checked after encoding, with the same vectorized rules unpacking applies.
            invalid = FieldText.FindInvalid(spec, data, length);
            if (invalid >= 0)
            {
                throw InvalidCharacter(spec, text, spec.Type == FieldType.Ans ? Encoding.UTF8.GetCharCount(data[..invalid]) : invalid, position);
            }
        }

        if (spec.IsTlv)
        {
            ValidateTlv(spec, data, position);
        }

        position += bytes;
    }

    private static IsoCodecException InvalidCharacter(FieldSpec spec, ReadOnlySpan<char> text, int index, int position) =>
        new(spec.Number, position, $"character '{text[index]}' at index {index} is not allowed in a {spec.Type.ToString().ToLowerInvariant()} field");

    private static void WriteBinaryField(FieldSpec spec, object value, Span<byte> destination, ref int position)
    {
        Span<byte> hexBuffer = stackalloc byte[value is string s && s.Length <= 1024 ? s.Length / 2 : 0];
        ReadOnlySpan<byte> bytes = value switch
        {
            byte[] raw => raw,
            string hex when hex.Length % 2 == 0 && hex.Length <= 1024
                && Convert.FromHexString(hex, hexBuffer, out _, out _) == System.Buffers.OperationStatus.Done => hexBuffer,
            _ => throw new IsoCodecException(spec.Number, position, "a binary field needs bytes or an even number of hex digits"),
        };
        CheckLength(spec, bytes.Length, position);
        WriteLengthPrefix(spec, bytes.Length, destination, ref position);
        var size = spec.DataBytes(bytes.Length);
        Ensure(destination, position, size, spec.Number);
        if (spec.Encoding == DataEncoding.Binary)
        {
            bytes.CopyTo(destination[position..]);
        }
        else
        {
            Convert.TryToHexString(bytes, destination.Slice(position, size), out _);
            if (spec.Encoding == DataEncoding.Ebcdic)
            {
                foreach (ref var b in destination.Slice(position, size))
                {
                    b = Ebcdic.FromAscii((char)b);
                }
            }
        }

        position += size;
    }

    private static void CheckLength(FieldSpec spec, int length, int position)
    {
        if (spec.LengthKind == LengthKind.Fixed ? length != spec.MaxLength : length > spec.MaxLength)
        {
            var rule = spec.LengthKind == LengthKind.Fixed ? $"exactly {spec.MaxLength}" : $"at most {spec.MaxLength}";
            throw new IsoCodecException(spec.Number, position, $"length {length} where the profile allows {rule}");
        }
    }

    private static void WriteLengthPrefix(FieldSpec spec, int length, Span<byte> destination, ref int position)
    {
        var size = spec.PrefixBytes;
        if (size == 0)
        {
            return;
        }

        Ensure(destination, position, size, spec.Number);
        var prefix = destination.Slice(position, size);
        switch (spec.PrefixEncoding)
        {
            case DataEncoding.Binary:
                if (size == 1)
                {
                    prefix[0] = (byte)length;
                }
                else
                {
                    BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)length);
                }

                break;
            case DataEncoding.Bcd:
                for (var i = size - 1; i >= 0; i--)
                {
                    prefix[i] = (byte)((((length / 10) % 10) << 4) | (length % 10));
                    length /= 100;
                }

                break;
            default:
                for (var i = size - 1; i >= 0; i--)
                {
                    var digit = length % 10;
                    prefix[i] = (byte)(spec.PrefixEncoding == DataEncoding.Ebcdic ? 0xF0 + digit : '0' + digit);
                    length /= 10;
                }

                break;
        }

        position += size;
    }

    private static void Ensure(Span<byte> destination, int position, int needed, int? field)
    {
        if (destination.Length - position < needed)
        {
            throw new IsoCodecException(field, position, $"the buffer has {destination.Length - position} bytes left, {needed} are needed");
        }
    }
}
