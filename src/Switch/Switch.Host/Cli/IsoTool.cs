using System.Buffers;
using System.Text.Json.Nodes;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Host.Cli;

/// <summary>What a frame looks like on the wire: the length header, or none for a bare message.</summary>
public enum FramingChoice { Binary2, Ascii4, None }

/// <summary>Settings shared by <c>iso encode</c> and <c>iso decode</c>.</summary>
public sealed record IsoToolOptions(
    MessageProfile Profile,
    FramingChoice Framing = FramingChoice.Binary2,
    bool Tpdu = false,
    bool Base64 = false,
    bool Unmasked = false,
    byte[]? MacKey = null);

/// <summary>
/// The logic of the <c>iso</c> verbs, kept apart from the command line so it can be tested: frames as hex or
/// base64 to JSON and back. Errors come out as <see cref="IsoCodecException"/> (naming field and offset) or
/// <see cref="FormatException"/> for input that is not hex, base64 or the JSON form.
/// </summary>
public static class IsoTool
{
    public static string Decode(string input, IsoToolOptions options)
    {
        var bytes = ReadBytes(input, options.Base64);
        var (tpdu, message) = Unframe(bytes, options);
        var codec = new IsoCodec(options.Profile);
        var view = codec.Unpack(message);
        var json = JsonNode.Parse(IsoJson.Format(view.ToMessage(), options.Profile, masked: !options.Unmasked))!.AsObject();
        if (tpdu.Length > 0)
        {
            json["tpdu"] = Convert.ToHexString(tpdu.Span);
        }

        if (options.MacKey is { } key)
        {
            json["mac"] = IsoCodec.VerifyMac(view, key) ? "valid" : "invalid";
        }

        return json.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }

    public static string Encode(string json, IsoToolOptions options, string? tpduHex = null)
    {
        var message = IsoJson.Parse(json, options.Profile);
        var codec = new IsoCodec(options.Profile);
        var format = FrameFormatFor(options);
        var tpdu = options.Tpdu ? ParseTpdu(tpduHex) : [];
        var overhead = format?.Overhead ?? 0;
        var buffer = new byte[overhead + 65536];
        var body = buffer.AsSpan(overhead);
        var length = options.MacKey is { } key ? codec.PackWithMac(message, body, key) : codec.Pack(message, body);
        if (format is not null)
        {
            format.WriteHeader(buffer, tpdu.Length + length);
            tpdu.CopyTo(buffer.AsSpan(format.HeaderLength));
        }

        var frame = buffer.AsSpan(0, overhead + length);
        return options.Base64 ? Convert.ToBase64String(frame) : Convert.ToHexString(frame);
    }

    private static (ReadOnlyMemory<byte> Tpdu, ReadOnlyMemory<byte> Message) Unframe(byte[] bytes, IsoToolOptions options)
    {
        var format = FrameFormatFor(options);
        if (format is null)
        {
            return (ReadOnlyMemory<byte>.Empty, bytes);
        }

        var sequence = new ReadOnlySequence<byte>(bytes);
        var status = format.TryRead(ref sequence, out var frame);
        var problem = status switch
        {
            FrameStatus.Message when !sequence.IsEmpty => $"{sequence.Length} bytes follow the frame the length header announces",
            FrameStatus.Message => null,
            FrameStatus.KeepAlive => "the frame is a keep-alive (length 0) and holds no message",
            FrameStatus.Incomplete => $"the length header announces more than the {bytes.Length} bytes given",
            FrameStatus.TooLarge => $"the length header announces more than {format.MaxFrameLength} bytes",
            _ => "the length header is not valid",
        };
        if (problem is not null)
        {
            throw new IsoCodecException(null, 0, problem + " (use --framing none for a bare message)");
        }

        var body = frame.ToArray().AsMemory();
        var tpduLength = options.Tpdu ? FrameFormat.TpduLength : 0;
        return (body[..tpduLength], body[tpduLength..]);
    }

    private static FrameFormat? FrameFormatFor(IsoToolOptions options) => options.Framing switch
    {
        FramingChoice.None => null,
        FramingChoice.Ascii4 => new FrameFormat(LengthHeader.Ascii4, options.Tpdu),
        _ => new FrameFormat(LengthHeader.Binary2, options.Tpdu),
    };

    private static byte[] ParseTpdu(string? hex)
    {
        var tpdu = ParseHex(hex ?? "6000000000", "the TPDU");
        return tpdu.Length == FrameFormat.TpduLength ? tpdu : throw new FormatException("The TPDU must be 5 bytes (10 hex digits).");
    }

    private static byte[] ReadBytes(string input, bool base64)
    {
        var text = string.Concat(input.Where(c => !char.IsWhiteSpace(c)));
        if (!base64)
        {
            return ParseHex(text, "the input");
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new FormatException("The input is not base64.");
        }
    }

    private static byte[] ParseHex(string text, string what)
    {
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new FormatException($"{char.ToUpperInvariant(what[0])}{what[1..]} is not hex (an even number of 0-9, A-F); use --base64 for base64.");
        }
    }
}
