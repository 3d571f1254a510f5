using System.Globalization;

namespace Switch.Adapters.Iso8583;

/// <summary>
/// Requests as a member bank's host builds them per the spec, for the demo, the tests and the load generator.
/// <see cref="Stamp"/> adds the trace fields and the retrieval reference that, with 32 and 13, make the idempotency key.
/// </summary>
public static class BankRequests
{
    public static IsoMessage Network(string bank, string code) => new IsoMessage("0800").Set(32, bank).Set(70, code);

    public static IsoMessage Inquiry(string bank, string biller, string account, string channel = "ATM") =>
        new IsoMessage("0100").Set(3, "310000").Set(32, bank).Set(41, "ATM00001")
            .Set(48, Field48.Build(("BC", biller), ("AN", account), ("CH", channel)));

    public static IsoMessage Payment(string bank, string biller, string account, long amount, string channel = "ATM", string currency = "682") =>
        new IsoMessage("0200").Set(3, "500000").Set(4, amount.ToString("D12", CultureInfo.InvariantCulture)).Set(32, bank).Set(41, "ATM00001")
            .Set(48, Field48.Build(("BC", biller), ("AN", account), ("CH", channel))).Set(49, currency).Set(102, "SA0380000000608010167519");

    /// <summary>Sets 7, 11, 12, 13 (from <paramref name="now"/>, UTC) and 37.</summary>
    public static IsoMessage Stamp(this IsoMessage message, long stan, string rrn, DateTime now) => message
        .Set(7, now.ToString("MMddHHmmss", CultureInfo.InvariantCulture))
        .Set(11, (stan % 1_000_000).ToString("D6", CultureInfo.InvariantCulture))
        .Set(12, now.ToString("HHmmss", CultureInfo.InvariantCulture))
        .Set(13, now.ToString("MMdd", CultureInfo.InvariantCulture))
        .Set(37, rrn);
}
