using System.Text;

namespace Switch.Adapters.Iso8583;

/// <summary>
/// Field 48's tag-length-value elements: a 2-character tag, a 3-digit length, then the value
/// (<c>BC005ELECTAN0101234567890</c>). Reading is in place; a malformed element is a codec error at its offset.
/// </summary>
public ref struct Field48Reader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private int _position;

    /// <param name="data">The field's data (ASCII).</param>
    /// <param name="baseOffset">Where the data starts in the message, so errors point at the right byte.</param>
    public Field48Reader(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
        Tag = default;
        Value = default;
    }

    public ReadOnlySpan<byte> Tag { get; private set; }

    public ReadOnlySpan<byte> Value { get; private set; }

    /// <summary>Moves to the next element; false at the end of the field.</summary>
    public bool MoveNext()
    {
        if (_position == _data.Length)
        {
            return false;
        }

        var offset = _baseOffset + _position;
        if (_data.Length - _position < 5)
        {
            throw new IsoCodecException(48, offset, "a TLV element needs a 2-character tag and a 3-digit length");
        }

        var tag = _data.Slice(_position, 2);
        if (!IsTagByte(tag[0]) || !IsTagByte(tag[1]))
        {
            throw new IsoCodecException(48, offset, "a TLV tag must be two letters or digits");
        }

        var length = 0;
        foreach (var digit in _data.Slice(_position + 2, 3))
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                throw new IsoCodecException(48, offset + 2, "a TLV length must be 3 digits");
            }

            length = (length * 10) + (digit - '0');
        }

        if (length > _data.Length - _position - 5)
        {
            throw new IsoCodecException(48, offset + 2, $"TLV element {(char)tag[0]}{(char)tag[1]} announces {length} bytes, {_data.Length - _position - 5} remain");
        }

        Tag = tag;
        Value = _data.Slice(_position + 5, length);
        _position += 5 + length;
        return true;
    }

    private static bool IsTagByte(byte b) => b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9');
}

/// <summary>Building and reading field 48 as text, for code that is not on the hot path.</summary>
public static class Field48
{
    /// <summary>Checks every element; throws <see cref="IsoCodecException"/> at the first malformed one.</summary>
    public static void Validate(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        var reader = new Field48Reader(data, baseOffset);
        while (reader.MoveNext())
        {
        }
    }

    /// <summary>The value of the first element with this tag, or null.</summary>
    public static string? Find(string field48, string tag)
    {
        foreach (var (t, value) in Parse(field48))
        {
            if (t == tag)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The elements in order; throws <see cref="IsoCodecException"/> when malformed.</summary>
    public static List<KeyValuePair<string, string>> Parse(string field48)
    {
        var elements = new List<KeyValuePair<string, string>>();
        var reader = new Field48Reader(Encoding.UTF8.GetBytes(field48));
        while (reader.MoveNext())
        {
            elements.Add(new(Encoding.ASCII.GetString(reader.Tag), Encoding.UTF8.GetString(reader.Value)));
        }

        return elements;
    }

    /// <summary>Writes elements in the given order. Tags must be 2 characters; values at most 999 bytes.</summary>
    public static string Build(IEnumerable<KeyValuePair<string, string>> elements)
    {
        var text = new StringBuilder();
        foreach (var (tag, value) in elements)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            if (tag.Length != 2 || length > 999)
            {
                throw new ArgumentException($"Field 48 element '{tag}' must have a 2-character tag and at most 999 bytes.");
            }

            text.Append(tag).Append(length.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).Append(value);
        }

        return text.ToString();
    }

    public static string Build(params (string Tag, string Value)[] elements) =>
        Build(elements.Select(e => new KeyValuePair<string, string>(e.Tag, e.Value)));
}
