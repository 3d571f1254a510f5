using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Switch.Adapters.Iso8583;

/// <summary>
/// Packs and unpacks ISO 8583 messages (MTI, bitmaps, fields; no framing) by a <see cref="MessageProfile"/>.
/// Unpacking reads in place into an <see cref="IsoMessageView"/>; packing writes into the caller's buffer.
/// Every length is checked against the profile and the buffer: bad input only ever raises
/// <see cref="IsoCodecException"/>, naming the field and the byte offset.
/// </summary>
public sealed partial class IsoCodec(MessageProfile profile)
{
    public const int MacField = 128;
    public const int MacLength = 8;

    private static readonly byte[] MacPlaceholder = new byte[MacLength];

    public static IsoCodec Spec { get; } = new(MessageProfile.Spec);

    public MessageProfile Profile { get; } = profile;

    /// <summary>Reads the message into a new view (the one allocation of an unpack).</summary>
    public IsoMessageView Unpack(ReadOnlyMemory<byte> message)
    {
        var view = new IsoMessageView(Profile);
        Unpack(message, view);
        return view;
    }

    /// <summary>Reads the message into a view the caller reuses; nothing is allocated.</summary>
    public void Unpack(ReadOnlyMemory<byte> message, IsoMessageView view)
    {
        view.Reset(Profile, message);
        var span = message.Span;
        var position = 0;
        var mti = ReadMti(span, ref position);
        var primary = ReadBitmap(span, ref position, null);
        var secondary = (primary & FirstBit) != 0 ? ReadBitmap(span, ref position, 1) : 0UL;
        view.SetHeader(mti, primary, secondary);
        ReadFields(span, primary & ~FirstBit, 1, view, ref position);
        ReadFields(span, secondary, 65, view, ref position);
        if (position != span.Length)
        {
            throw new IsoCodecException(null, position, $"{span.Length - position} bytes follow the last field named in the bitmap");
        }
    }

    /// <summary>The MTI, when at least that much of a message can be read; for answering messages that fail to unpack.</summary>
    public bool TryReadMti(ReadOnlySpan<byte> message, out int mti)
    {
        try
        {
            var position = 0;
            mti = ReadMti(message, ref position);
            return true;
        }
        catch (IsoCodecException)
        {
            mti = 0;
            return false;
        }
    }

    /// <summary>Writes the message into <paramref name="destination"/> and returns the bytes written.</summary>
    public int Pack(IsoMessage message, Span<byte> destination) => Pack(message, destination, out _);

    /// <summary>
    /// Packs with field 128 set to the MAC of the spec: the first 8 bytes of HMAC-SHA256 under the key, over the
    /// message from the MTI up to, not including, field 128.
    /// </summary>
    public int PackWithMac(IsoMessage message, Span<byte> destination, ReadOnlySpan<byte> key)
    {
        message.Set(MacField, MacPlaceholder);
        var written = Pack(message, destination, out var macStart);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, destination[..macStart], mac);
        WriteMacValue(mac[..MacLength], destination[macStart..written]);
        message.Set(MacField, mac[..MacLength].ToArray());
        return written;
    }

    /// <summary>True when field 128 is present and equals the MAC of the message under the key.</summary>
    public static bool VerifyMac(IsoMessageView view, ReadOnlySpan<byte> key)
    {
        if (!view.Has(MacField) || view.LengthOf(MacField) != MacLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, view.Frame.Span[..view.StartOf(MacField)], expected);
        Span<byte> received = stackalloc byte[MacLength];
        var raw = view.GetRaw(MacField);
        if (view.Profile[MacField]!.Encoding == DataEncoding.Binary)
        {
            raw.CopyTo(received);
        }
        else if (Convert.FromHexString(System.Text.Encoding.ASCII.GetString(raw), received, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected[..MacLength], received);
    }

    private const ulong FirstBit = 1UL << 63;

    private void WriteMacValue(ReadOnlySpan<byte> mac, Span<byte> fieldBytes)
    {
        if (Profile[MacField]!.Encoding == DataEncoding.Binary)
        {
            mac.CopyTo(fieldBytes);
        }
        else
        {
            Convert.TryToHexString(mac, fieldBytes, out _);
        }
    }

    /// <summary>Checks a TLV field's elements on its text: EBCDIC data is translated to ASCII first.</summary>
    private static void ValidateTlv(FieldSpec spec, ReadOnlySpan<byte> data, int position)
    {
        if (spec.Encoding != DataEncoding.Ebcdic)
        {
            Field48.Validate(data, position);
            return;
        }

        Span<byte> ascii = stackalloc byte[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            ascii[i] = Ebcdic.ToAscii(data[i]);
        }

        Field48.Validate(ascii, position);
    }

    /// <summary>Takes the lowest set bit off the bitmap and returns its field number.</summary>
    private static int NextField(ref ulong bits, int firstField)
    {
        var index = BitOperations.LeadingZeroCount(bits);
        bits &= ~(FirstBit >> index);
        return firstField + index;
    }

    private static void WriteBitmapBytes(ulong bitmap, Span<byte> destination, DataEncoding encoding)
    {
        if (encoding == DataEncoding.Binary)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, bitmap);
        }
        else
        {
            Span<byte> raw = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(raw, bitmap);
            Convert.TryToHexString(raw, destination, out _);
        }
    }
}
