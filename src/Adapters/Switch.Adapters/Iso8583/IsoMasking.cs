namespace Switch.Adapters.Iso8583;

/// <summary>
/// Masks sensitive values for logs and displays, as the profile marks them: card numbers keep the first 6 and
/// last 4, accounts the last 4, names their initials, track data, PIN blocks and chip data nothing.
/// Lengths are kept so a masked field 48 still reads as TLV.
/// </summary>
public static class IsoMasking
{
    public static string Mask(FieldSpec spec, string value)
    {
        if (spec.IsTlv && spec.MaskTags is { Count: > 0 } tags)
        {
            return MaskTlv(value, tags);
        }

        return Mask(spec.Mask, value);
    }

    public static string Mask(MaskStyle style, string value) => style switch
    {
        MaskStyle.None => value,
        MaskStyle.Pan when value.Length >= 13 => Keep(value, 6, 4),
        MaskStyle.Pan or MaskStyle.Last4 => Keep(value, 0, value.Length > 8 ? 4 : 0),
        MaskStyle.Name => MaskName(value),
        _ => new string('*', value.Length),
    };

    private static string MaskTlv(string value, IReadOnlyList<string> tags)
    {
        List<KeyValuePair<string, string>> elements;
        try
        {
            elements = Field48.Parse(value);
        }
        catch (IsoCodecException)
        {
            // Unreadable TLV might still carry an account number: show none of it.
            return new string('*', value.Length);
        }

        return Field48.Build(elements.Select(e => tags.Contains(e.Key)
            ? new KeyValuePair<string, string>(e.Key, Mask(e.Key == "NM" ? MaskStyle.Name : MaskStyle.Last4, e.Value))
            : e));
    }

    private static string Keep(string value, int head, int tail) =>
        string.Concat(value.AsSpan(0, head), new string('*', value.Length - head - tail), value.AsSpan(value.Length - tail));

    private static string MaskName(string value)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var startsWord = i == 0 || chars[i - 1] == ' ';
            if (!startsWord && chars[i] != ' ')
            {
                chars[i] = '*';
            }
        }

        return new string(chars);
    }
}
