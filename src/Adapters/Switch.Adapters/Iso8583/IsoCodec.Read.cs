using System.Buffers.Binary;

namespace Switch.Adapters.Iso8583;

public sealed partial class IsoCodec
{
    private int ReadMti(ReadOnlySpan<byte> span, ref int position)
    {
        var size = Profile.MtiBytes;
        if (span.Length < size)
        {
            throw new IsoCodecException(null, span.Length, $"the MTI needs {size} bytes, the message has {span.Length}");
        }

        var mti = 0;
        for (var i = 0; i < 4; i++)
        {
            var digit = Profile.MtiEncoding switch
            {
                DataEncoding.Bcd => i % 2 == 0 ? span[i / 2] >> 4 : span[i / 2] & 0x0F,
                DataEncoding.Ebcdic => span[i] - 0xF0,
                _ => span[i] - '0',
            };
            if (digit is < 0 or > 9)
            {
                throw new IsoCodecException(null, Profile.MtiEncoding == DataEncoding.Bcd ? i / 2 : i, "the MTI must be 4 digits");
            }

            mti = (mti * 10) + digit;
        }

        position = size;
        return mti;
    }

    private ulong ReadBitmap(ReadOnlySpan<byte> span, ref int position, int? field)
    {
        var size = Profile.BitmapBytes;
        if (span.Length - position < size)
        {
            throw new IsoCodecException(field, position, $"the {(field is null ? "primary" : "secondary")} bitmap needs {size} bytes, {span.Length - position} remain");
        }

        var raw = span.Slice(position, size);
        ulong bitmap;
        if (Profile.BitmapEncoding == DataEncoding.Binary)
        {
            bitmap = BinaryPrimitives.ReadUInt64BigEndian(raw);
        }
        else
        {
            Span<byte> bytes = stackalloc byte[8];
            if (Convert.FromHexString(System.Text.Encoding.ASCII.GetString(raw), bytes, out _, out _) != System.Buffers.OperationStatus.Done)
            {
                throw new IsoCodecException(field, position, "the bitmap must be 16 hex characters");
            }

            bitmap = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        }

        position += size;
        return bitmap;
    }

    private void ReadFields(ReadOnlySpan<byte> span, ulong bits, int firstField, IsoMessageView view, ref int position)
    {
        while (bits != 0)
        {
            var field = NextField(ref bits, firstField);
            var spec = Profile[field]
                ?? throw new IsoCodecException(field, position, $"the bitmap names field {field}, which profile '{Profile.Name}' does not define");
            var start = position;
            var length = spec.LengthKind == LengthKind.Fixed ? spec.MaxLength : ReadLengthPrefix(spec, span, ref position);
            if (length > spec.MaxLength)
            {
                throw new IsoCodecException(field, start, $"length {length} exceeds the maximum {spec.MaxLength}");
            }

            var bytes = spec.DataBytes(length);
            if (bytes > span.Length - position)
            {
                throw new IsoCodecException(field, position, $"needs {bytes} bytes, {span.Length - position} remain");
            }

            var data = span.Slice(position, bytes);
            var invalid = FieldText.FindInvalid(spec, data, length);
            if (invalid >= 0)
            {
                throw new IsoCodecException(field, position + invalid, $"byte 0x{data[invalid]:X2} is not allowed in a {spec.Type.ToString().ToLowerInvariant()} field");
            }

            if (spec.IsTlv)
            {
                ValidateTlv(spec, data, position);
            }

            view.SetSlot(field, start, position, bytes, length);
            position += bytes;
        }
    }

    private static int ReadLengthPrefix(FieldSpec spec, ReadOnlySpan<byte> span, ref int position)
    {
        var size = spec.PrefixBytes;
        if (span.Length - position < size)
        {
            throw new IsoCodecException(spec.Number, position, $"the length prefix needs {size} bytes, {span.Length - position} remain");
        }

        var prefix = span.Slice(position, size);
        var length = 0;
        switch (spec.PrefixEncoding)
        {
            case DataEncoding.Binary:
                length = size == 1 ? prefix[0] : BinaryPrimitives.ReadUInt16BigEndian(prefix);
                break;
            case DataEncoding.Bcd:
                foreach (var b in prefix)
                {
                    if ((b >> 4) > 9 || (b & 0x0F) > 9)
                    {
                        throw new IsoCodecException(spec.Number, position, "the BCD length prefix holds a nibble that is not a digit");
                    }

                    length = (length * 100) + ((b >> 4) * 10) + (b & 0x0F);
                }

                break;
            default:
                foreach (var b in prefix)
                {
                    var digit = spec.PrefixEncoding == DataEncoding.Ebcdic ? b - 0xF0 : b - '0';
                    if (digit is < 0 or > 9)
                    {
                        throw new IsoCodecException(spec.Number, position, $"the {spec.LengthKind} length prefix is not {size} digits");
                    }

                    length = (length * 10) + digit;
                }

                break;
        }

        position += size;
        return length;
    }
}
