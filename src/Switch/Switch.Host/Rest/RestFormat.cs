using Switch.Billing;
using Switch.Monetary;

namespace Switch.Host.Rest;

/// <summary>How the REST edge writes and reads the scheme's values: channels as the spec's CH codes, money as decimal text.</summary>
public static class RestFormat
{
    private static readonly Dictionary<string, Channel> Channels = Enum.GetValues<Channel>().ToDictionary(c => Name(c), StringComparer.Ordinal);

    /// <summary>ATM, IB, MB, BR, POS or KSK (exact, as in field 48 CH); null for anything else.</summary>
    public static Channel? ParseChannel(string? text) => text is not null && Channels.TryGetValue(text, out var channel) ? channel : null;

    public static string Name(Channel channel) => channel.ToString().ToUpperInvariant();

    /// <summary>The currency of an amount the switch holds (biller or journal): always one the switch knows.</summary>
    public static Currency CurrencyOf(int numeric) =>
        Currency.FromNumeric(numeric) ?? throw new InvalidOperationException($"Currency {numeric} is not one the switch can show.");

    public static string Amount(long minor, int currency) => MoneyText.Format(minor, CurrencyOf(currency));
}
