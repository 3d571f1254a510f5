using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switch.Adapters.Iso8583;

/// <summary>
/// A message as JSON, for people and tools: <c>{"mti":"0200","fields":{"3":"500000","48":"BC005...","128":"0A1B..."}}</c>.
/// Binary fields are hex. Masked by default, so what is printed can be pasted into a ticket.
/// </summary>
public static class IsoJson
{
    public static string Format(IsoMessage message, MessageProfile profile, bool masked = true)
    {
        var fields = new JsonObject();
        foreach (var field in message.Fields)
        {
            var value = message.GetString(field)!;
            fields[field.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                masked && profile[field] is { } spec ? IsoMasking.Mask(spec, value) : value;
        }

        var json = new JsonObject { ["mti"] = message.Mti, ["fields"] = fields };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Reads the JSON form; binary fields are given as hex. Throws FormatException naming the problem.</summary>
    public static IsoMessage Parse(string json, MessageProfile profile)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not valid JSON: {e.Message}");
        }

        var mti = root?["mti"]?.GetValue<string>() ?? throw new FormatException("The JSON needs an \"mti\" string.");
        var message = new IsoMessage(mti);
        if (root["fields"] is not JsonObject fields)
        {
            throw new FormatException("The JSON needs a \"fields\" object.");
        }

        foreach (var (key, node) in fields)
        {
            if (!int.TryParse(key, out var field) || field is < 2 or > 128)
            {
                throw new FormatException($"Field key '{key}' is not a field number from 2 to 128.");
            }

            var value = node is JsonValue v && v.TryGetValue<string>(out var s) ? s
                : throw new FormatException($"Field {field} must be a string.");
            if (profile[field]?.Type == FieldType.B)
            {
                try
                {
                    message.Set(field, Convert.FromHexString(value));
                }
                catch (FormatException)
                {
                    throw new FormatException($"Field {field} is binary and must be given as hex.");
                }
            }
            else
            {
                message.Set(field, value);
            }
        }

        return message;
    }

    /// <summary>One line for logs: <c>0200 3=500000 4=000000015000 48=BC005ELECTAN010******7890</c>, masked.</summary>
    public static string ToLogLine(IsoMessage message, MessageProfile profile)
    {
        var line = new System.Text.StringBuilder(message.Mti);
        foreach (var field in message.Fields)
        {
            var value = message.GetString(field)!;
            line.Append(' ').Append(field).Append('=').Append(profile[field] is { } spec ? IsoMasking.Mask(spec, value) : new string('*', value.Length));
        }

        return line.ToString();
    }
}
