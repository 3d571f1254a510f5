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

    /// <summary>
    /// The 0420 (0421 when repeated) reversing <paramref name="payment"/>: its 37 and 13, its amount, and field 90
    /// naming it (MTI, STAN, field 7, field 32 right-justified zero-filled, eleven zeros). The caller gives it a new STAN.
    /// </summary>
    public static IsoMessage Reversal(IsoMessage payment, long stan, DateTime now, bool repeat = false)
    {
        var reversal = new IsoMessage(repeat ? "0421" : "0420");
        foreach (var field in new[] { 3, 4, 12, 13, 32, 37, 41, 48, 49 })
        {
            if (payment.GetString(field) is { } value)
            {
                reversal.Set(field, value);
            }
        }

        var originalData = string.Concat(payment.Mti, payment.GetString(11), payment.GetString(7), payment.GetString(32)!.PadLeft(11, '0'), new string('0', 11));
        return reversal.Set(7, now.ToString("MMddHHmmss", CultureInfo.InvariantCulture))
            .Set(11, (stan % 1_000_000).ToString("D6", CultureInfo.InvariantCulture))
            .Set(90, originalData);
    }

    /// <summary>Sets 7, 11, 12, 13 (from <paramref name="now"/>, UTC) and 37.</summary>
    public static IsoMessage Stamp(this IsoMessage message, long stan, string rrn, DateTime now) => message
        .Set(7, now.ToString("MMddHHmmss", CultureInfo.InvariantCulture))
        .Set(11, (stan % 1_000_000).ToString("D6", CultureInfo.InvariantCulture))
        .Set(12, now.ToString("HHmmss", CultureInfo.InvariantCulture))
        .Set(13, now.ToString("MMdd", CultureInfo.InvariantCulture))
        .Set(37, rrn);
}
