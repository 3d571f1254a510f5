using Switch.Billing;

namespace Switch.Host.Rest;

/// <summary>How the REST edge writes and reads the scheme's channels: as the spec's CH codes.</summary>
public static class RestFormat
{
    private static readonly Dictionary<string, Channel> Channels = Enum.GetValues<Channel>().ToDictionary(c => Name(c), StringComparer.Ordinal);

    /// <summary>ATM, IB, MB, BR, POS or KSK (exact, as in field 48 CH); null for anything else.</summary>
    public static Channel? ParseChannel(string? text) => text is not null && Channels.TryGetValue(text, out var channel) ? channel : null;

    public static string Name(Channel channel) => channel.ToString().ToUpperInvariant();
}
