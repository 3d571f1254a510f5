using System.Runtime.CompilerServices;

namespace Switch.Adapters.Iso8583;

/// <summary>
/// A received message read in place: it keeps the frame and where each field lies in it, and decodes a field
/// only when asked. One object per message (the slots are inline), and it can be reused with
/// <see cref="IsoCodec.Unpack(ReadOnlyMemory{byte}, IsoMessageView)"/>. The frame must outlive the view.
/// </summary>
public sealed class IsoMessageView
{
    private FieldSlots _slots;

    public IsoMessageView(MessageProfile profile) => Profile = profile;

    public MessageProfile Profile { get; private set; }

    public ReadOnlyMemory<byte> Frame { get; private set; }

    /// <summary>The MTI as a number (0200 is 200).</summary>
    public int Mti { get; private set; }

    public string MtiText => Mti.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    public ulong PrimaryBitmap { get; private set; }

    public ulong SecondaryBitmap { get; private set; }

    public bool Has(int field) => (uint)(field - 2) <= 126 && _slots[field].DataOffset != 0;

    /// <summary>The field's bytes as they are on the wire, without the length prefix.</summary>
    public ReadOnlySpan<byte> GetRaw(int field)
    {
        var slot = SlotOf(field);
        return Frame.Span.Slice(slot.DataOffset, slot.DataBytes);
    }

    /// <summary>Offset of the field's first byte (its length prefix, if it has one) in the frame.</summary>
    public int StartOf(int field) => SlotOf(field).Start;

    /// <summary>The field's logical length: digits for n/z, characters for an/ans, bytes for b.</summary>
    public int LengthOf(int field) => SlotOf(field).Length;

    /// <summary>The field as text (digits, characters, or hex for binary fields); null when absent.</summary>
    public string? GetString(int field)
    {
        if (!Has(field))
        {
            return null;
        }

        var spec = Profile[field]!;
        return FieldText.Decode(spec, GetRaw(field), LengthOf(field));
    }

    /// <summary>The field's bytes: raw for binary fields, the decoded characters for text fields.</summary>
    public byte[]? GetBytes(int field)
    {
        if (!Has(field))
        {
            return null;
        }

        var spec = Profile[field]!;
        if (spec.Type != FieldType.B)
        {
            return System.Text.Encoding.UTF8.GetBytes(GetString(field)!);
        }

        return spec.Encoding == DataEncoding.Binary ? GetRaw(field).ToArray() : Convert.FromHexString(GetString(field)!);
    }

    /// <summary>A numeric field's value without allocating; false when absent or longer than 18 digits.</summary>
    public bool TryGetInt64(int field, out long value)
    {
        value = 0;
        if (!Has(field) || LengthOf(field) > 18)
        {
            return false;
        }

        Span<char> digits = stackalloc char[18];
        var length = FieldText.DecodeDigits(Profile[field]!, GetRaw(field), LengthOf(field), digits);
        foreach (var c in digits[..length])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    /// <summary>An owned copy, for keeping or for building the response from.</summary>
    public IsoMessage ToMessage()
    {
        var message = new IsoMessage(MtiText);
        for (var field = 2; field <= 128; field++)
        {
            if (Has(field))
            {
                if (Profile[field]!.Type == FieldType.B)
                {
                    message.Set(field, GetBytes(field)!);
                }
                else
                {
                    message.Set(field, GetString(field)!);
                }
            }
        }

        return message;
    }

    internal void Reset(MessageProfile profile, ReadOnlyMemory<byte> frame)
    {
        Profile = profile;
        Frame = frame;
        Mti = 0;
        PrimaryBitmap = 0;
        SecondaryBitmap = 0;
        _slots = default;
    }

    internal void SetHeader(int mti, ulong primary, ulong secondary)
    {
        Mti = mti;
        PrimaryBitmap = primary;
        SecondaryBitmap = secondary;
    }

    internal void SetSlot(int field, int start, int dataOffset, int dataBytes, int length) =>
        _slots[field] = new FieldSlot(start, dataOffset, dataBytes, length);

    private FieldSlot SlotOf(int field) =>
        Has(field) ? _slots[field] : throw new InvalidOperationException($"Field {field} is not present.");

    private readonly record struct FieldSlot(int Start, int DataOffset, int DataBytes, int Length);

    [InlineArray(129)]
    private struct FieldSlots
    {
        private FieldSlot _element;
    }
}
