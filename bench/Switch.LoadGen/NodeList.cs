using System.Globalization;
using System.Net;

namespace Switch.LoadGen;

/// <summary>The nodes of a cluster as an operator lists them: comma-separated ISO 8583 endpoints or REST base addresses.</summary>
public static class NodeList
{
    /// <summary>"host:port,host:port" (an IPv6 host in brackets) as endpoints; anything else is an error that says which entry.</summary>
    public static IReadOnlyList<DnsEndPoint> IsoEndpoints(string list) => [.. Entries(list).Select(entry =>
    {
        var colon = entry.LastIndexOf(':');
        return colon > 0 && ushort.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0
            ? new DnsEndPoint(entry[..colon].Trim('[', ']'), port)
            : throw new ArgumentException($"--iso-nodes: \"{entry}\" is not host:port");
    })];

    /// <summary>"http://host:port,https://host:port" as base addresses (a path, if any, kept and ended with a slash).</summary>
    public static IReadOnlyList<Uri> HttpBases(string list) => [.. Entries(list).Select(entry =>
        Uri.TryCreate(entry.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"--http-nodes: \"{entry}\" is not an http(s) address"))];

    private static IEnumerable<string> Entries(string list)
    {
        var entries = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return entries.Length > 0 ? entries : throw new ArgumentException("the node list is empty");
    }
}
