using System.Buffers;
using System.Buffers.Binary;

namespace Switch.Adapters.Iso8583.Framing;

/// <summary>The length header in front of each message on a TCP stream.</summary>
public enum LengthHeader
{
    /// <summary>2-byte binary big-endian length, not counting itself (the spec's default).</summary>
    Binary2,

    /// <summary>4 ASCII digits.</summary>
    Ascii4,
}

public enum FrameStatus { Incomplete, Message, KeepAlive, TooLarge, BadHeader }

/// <summary>
/// Framing is separate from the codec: a length header, then an optional 5-byte TPDU, then the message.
/// The length counts the TPDU and the message. A zero length is a keep-alive.
/// </summary>
public sealed record FrameFormat(LengthHeader Header = LengthHeader.Binary2, bool HasTpdu = false, int MaxFrameLength = 8192)
{
    public const int TpduLength = 5;

    public static FrameFormat Spec { get; } = new();

    public int HeaderLength => Header == LengthHeader.Binary2 ? 2 : 4;

    /// <summary>Bytes in front of the message: the length header and the TPDU, if any.</summary>
    public int Overhead => HeaderLength + (HasTpdu ? TpduLength : 0);

    /// <summary>
    /// Takes one frame off the front of <paramref name="buffer"/> when a whole one is there. On Message, the
    /// frame (TPDU and message) is in <paramref name="frame"/> and the buffer is advanced past it. TooLarge and
    /// BadHeader mean the stream cannot be trusted any more and the connection should close.
    /// </summary>
    public FrameStatus TryRead(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < HeaderLength)
        {
            return FrameStatus.Incomplete;
        }

        Span<byte> header = stackalloc byte[4];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        if (!TryParseLength(header[..HeaderLength], out var length))
        {
            return FrameStatus.BadHeader;
        }

        if (length > MaxFrameLength)
        {
            return FrameStatus.TooLarge;
        }

        if (length == 0)
        {
            buffer = buffer.Slice(HeaderLength);
            return FrameStatus.KeepAlive;
        }

        if (HasTpdu && length <= TpduLength)
        {
            return FrameStatus.BadHeader;
        }

        if (buffer.Length - HeaderLength < length)
        {
            return FrameStatus.Incomplete;
        }

        frame = buffer.Slice(HeaderLength, length);
        buffer = buffer.Slice(HeaderLength + length);
        return FrameStatus.Message;
    }

    /// <summary>Writes the length header for a frame body (TPDU and message) of the given length.</summary>
    public void WriteHeader(Span<byte> destination, int bodyLength)
    {
        if (bodyLength > MaxFrameLength)
        {
            throw new IsoCodecException(null, 0, $"the frame would be {bodyLength} bytes, the limit is {MaxFrameLength}");
        }

        if (Header == LengthHeader.Binary2)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)bodyLength);
        }
        else
        {
            for (var i = 3; i >= 0; i--)
            {
                destination[i] = (byte)('0' + (bodyLength % 10));
                bodyLength /= 10;
            }
        }
    }

    /// <summary>A response TPDU is the request's with destination and source addresses swapped.</summary>
    public static void SwapTpduAddresses(Span<byte> tpdu)
    {
        Span<byte> destination = stackalloc byte[2];
        tpdu.Slice(1, 2).CopyTo(destination);
        tpdu.Slice(3, 2).CopyTo(tpdu.Slice(1, 2));
        destination.CopyTo(tpdu.Slice(3, 2));
    }

    private bool TryParseLength(ReadOnlySpan<byte> header, out int length)
    {
        if (Header == LengthHeader.Binary2)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(header);
            return true;
        }

        length = 0;
        foreach (var b in header)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            length = (length * 10) + (b - '0');
        }

        return true;
    }
}
