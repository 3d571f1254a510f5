namespace Switch.Settlement;

/// <summary>Switch:Settlement: when windows close and which days settle (appsettings.json, or Switch__Settlement__* variables).</summary>
public sealed class SettlementSettings
{
    /// <summary>Local times of day at which every open window closes, "HH:mm" separated by commas; empty: only on demand.</summary>
    public string Cutoffs { get; set; } = "";

    /// <summary>The time zone of the cut-offs and of the business-day calendar (IANA id).</summary>
    public string TimeZone { get; set; } = "Asia/Riyadh";

    /// <summary>The days the RTGS does not settle, English names separated by commas.</summary>
    public string Weekend { get; set; } = "Friday,Saturday";

    /// <summary>RTGS holidays, "yyyy-MM-dd" separated by commas.</summary>
    public string Holidays { get; set; } = "";
}
