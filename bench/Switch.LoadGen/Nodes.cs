using System.Globalization;

namespace Switch.LoadGen;

/// <summary>The switch nodes a run spreads its connections over, round-robin: ISO 8583 host:port pairs and REST base addresses.</summary>
public static class Nodes
{
    /// <summary>"host:port,host:port" (spaces allowed after commas); throws with the entry named when one is not host:port.</summary>
    public static IReadOnlyList<(string Host, int Port)> ParseIso(string list) => [.. Split(list).Select(entry =>
    {
        var colon = entry.LastIndexOf(':');
        return colon > 0 && int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? (entry[..colon], port)
            : throw new FormatException($"'{entry}' is not host:port.");
    })];

    /// <summary>"http://a:8080,http://b:8080": each an absolute http(s) URL, given a trailing slash so paths resolve under it.</summary>
    public static IReadOnlyList<Uri> ParseHttp(string list) => [.. Split(list).Select(entry =>
        Uri.TryCreate(entry.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"'{entry}' is not an http(s) URL."))];

    private static IEnumerable<string> Split(string list)
    {
        var entries = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return entries.Length > 0 ? entries : throw new FormatException("No node given.");
    }
}
