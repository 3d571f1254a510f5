using System.Reflection;
using System.Text.Json;

namespace Switch.Adapters.Iso8583;

/// <summary>
/// A message layout as data: the MTI and bitmap encodings and, for each field, its type, length kind and
/// encodings. Profiles ship as JSON (see Profiles/); another scheme's layout is a new file, not new code.
/// </summary>
public sealed class MessageProfile
{
    private readonly FieldSpec?[] _fields;

    private MessageProfile(string name, string description, DataEncoding mtiEncoding, DataEncoding bitmapEncoding, FieldSpec?[] fields)
    {
        Name = name;
        Description = description;
        MtiEncoding = mtiEncoding;
        BitmapEncoding = bitmapEncoding;
        _fields = fields;
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>Ascii (4 bytes), Bcd (2 bytes) or Ebcdic (4 bytes).</summary>
    public DataEncoding MtiEncoding { get; }

    /// <summary>Binary (8 bytes per bitmap) or Ascii (16 hex characters per bitmap).</summary>
    public DataEncoding BitmapEncoding { get; }

    public int MtiBytes => MtiEncoding == DataEncoding.Bcd ? 2 : 4;

    public int BitmapBytes => BitmapEncoding == DataEncoding.Binary ? 8 : 16;

    /// <summary>The scheme's published interface, the switch's default.</summary>
    public static MessageProfile Spec { get; } = LoadEmbedded("spec-ascii");

    /// <summary>BCD numerics and length prefixes, as POS terminals use.</summary>
    public static MessageProfile PosBcd { get; } = LoadEmbedded("pos-bcd");

    public static IReadOnlyList<string> EmbeddedNames { get; } = ["spec-ascii", "pos-bcd"];

    /// <summary>The field's layout, or null when the profile does not define it.</summary>
    public FieldSpec? this[int field] => (uint)field < (uint)_fields.Length ? _fields[field] : null;

    public IEnumerable<FieldSpec> Fields => _fields.OfType<FieldSpec>();

    /// <summary>An embedded profile by name ("spec-ascii", "pos-bcd") or a JSON file by path.</summary>
    public static MessageProfile Resolve(string nameOrPath)
    {
        if (EmbeddedNames.Contains(nameOrPath))
        {
            return nameOrPath == "pos-bcd" ? PosBcd : Spec;
        }

        if (!File.Exists(nameOrPath))
        {
            throw new ArgumentException($"'{nameOrPath}' is neither a built-in profile ({string.Join(", ", EmbeddedNames)}) nor a file.");
        }

        return Parse(File.ReadAllText(nameOrPath));
    }

    public static MessageProfile LoadEmbedded(string name)
    {
        var resource = $"Switch.Adapters.Iso8583.Profiles.{name}.json";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new ArgumentException($"No built-in profile named '{name}'.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Reads a profile from JSON, rejecting layouts the codec could not read back unambiguously.</summary>
    public static MessageProfile Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var name = root.GetProperty("name").GetString() ?? "unnamed";
        var defaultEncoding = ParseEncoding(OptionalString(root, "defaultEncoding") ?? "ascii");
        var prefixEncoding = ParseEncoding(OptionalString(root, "prefixEncoding") ?? "ascii");
        var fields = new FieldSpec?[129];
        foreach (var property in root.GetProperty("fields").EnumerateObject())
        {
            if (!int.TryParse(property.Name, out var number) || number is < 1 or > 128)
            {
                throw new FormatException($"Profile '{name}': field key '{property.Name}' is not a number from 1 to 128.");
            }

            fields[number] = ParseField(name, number, property.Value, defaultEncoding, prefixEncoding);
        }

        return new MessageProfile(
            name,
            OptionalString(root, "description") ?? "",
            ParseEncoding(OptionalString(root, "mtiEncoding") ?? "ascii"),
            ParseEncoding(OptionalString(root, "bitmapEncoding") ?? "binary"),
            fields);
    }

    private static FieldSpec ParseField(string profile, int number, JsonElement json, DataEncoding defaultEncoding, DataEncoding prefixEncoding)
    {
        var type = OptionalString(json, "type") switch
        {
            "n" => FieldType.N,
            "an" => FieldType.An,
            "ans" => FieldType.Ans,
            "z" => FieldType.Z,
            "b" => FieldType.B,
            "bitmap" => FieldType.Bitmap,
            var other => throw new FormatException($"Profile '{profile}', field {number}: unknown type '{other}'."),
        };
        var lengthKind = OptionalString(json, "length") switch
        {
            "fixed" => LengthKind.Fixed,
            "LL" => LengthKind.LL,
            "LLL" => LengthKind.LLL,
            "LLLL" => LengthKind.LLLL,
            var other => throw new FormatException($"Profile '{profile}', field {number}: unknown length kind '{other}'."),
        };
        var max = json.GetProperty("max").GetInt32();
        var encoding = OptionalString(json, "encoding") is { } e ? ParseEncoding(e)
            : type is FieldType.B or FieldType.Bitmap ? DataEncoding.Binary : defaultEncoding;
        var prefix = OptionalString(json, "prefixEncoding") is { } p ? ParseEncoding(p) : prefixEncoding;
        var mask = OptionalString(json, "mask") switch
        {
            null => MaskStyle.None,
            "pan" => MaskStyle.Pan,
            "last4" => MaskStyle.Last4,
            "all" => MaskStyle.All,
            "name" => MaskStyle.Name,
            var other => throw new FormatException($"Profile '{profile}', field {number}: unknown mask '{other}'."),
        };
        // Fixed numerics fill with leading zeros and fixed text with trailing spaces unless the profile says otherwise.
        var pad = OptionalString(json, "pad") switch
        {
            "none" => Padding.None,
            "left-zeros" => Padding.LeftZeros,
            "right-spaces" => Padding.RightSpaces,
            null when lengthKind == LengthKind.Fixed && type == FieldType.N => Padding.LeftZeros,
            null when lengthKind == LengthKind.Fixed && type is FieldType.An or FieldType.Ans => Padding.RightSpaces,
            null => Padding.None,
            var other => throw new FormatException($"Profile '{profile}', field {number}: unknown pad '{other}'."),
        };
        var maskTags = json.TryGetProperty("maskTags", out var tags) ? tags.EnumerateArray().Select(t => t.GetString()!).ToArray() : null;
        var spec = new FieldSpec(number, OptionalString(json, "name") ?? $"field {number}", type, lengthKind, max, encoding, prefix, pad, mask,
            json.TryGetProperty("tlv", out var tlv) && tlv.GetBoolean(), maskTags);
        Validate(profile, spec);
        return spec;
    }

    private static void Validate(string profile, FieldSpec spec)
    {
        string? problem = null;
        if (spec.MaxLength < 1)
        {
            problem = "max must be at least 1";
        }
        else if (spec.LengthKind != LengthKind.Fixed && spec.MaxLength >= Math.Pow(10, spec.PrefixDigits))
        {
            problem = $"max {spec.MaxLength} does not fit a {spec.LengthKind} prefix";
        }
        else if (spec.Encoding == DataEncoding.Bcd && spec.Type is not (FieldType.N or FieldType.Z))
        {
            problem = "BCD encoding is only for n and z fields";
        }
        else if (spec.Encoding == DataEncoding.Binary && spec.Type is not (FieldType.B or FieldType.Bitmap))
        {
            problem = "binary encoding is only for b fields";
        }
        else if (spec.PrefixEncoding == DataEncoding.Binary && spec.MaxLength > ushort.MaxValue)
        {
            problem = "max does not fit a binary length prefix";
        }
        else if (spec.Type == FieldType.Bitmap && (spec.Number != 1 || spec.LengthKind != LengthKind.Fixed))
        {
            problem = "only field 1 can be the secondary bitmap";
        }

        if (problem is not null)
        {
            throw new FormatException($"Profile '{profile}', field {spec.Number}: {problem}.");
        }
    }

    private static DataEncoding ParseEncoding(string value) => value switch
    {
        "ascii" => DataEncoding.Ascii,
        "bcd" => DataEncoding.Bcd,
        "ebcdic" => DataEncoding.Ebcdic,
        "binary" => DataEncoding.Binary,
        _ => throw new FormatException($"Unknown encoding '{value}' (ascii, bcd, ebcdic, binary)."),
    };

    private static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.GetString() : null;
}
