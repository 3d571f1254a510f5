using Switch.Adapters.Iso8583;

namespace Switch.Host.Tests.Iso;

/// <summary>Requests as the demo banks send them; each gets its own STAN and RRN so responses can be matched.</summary>
public static class BankMessages
{
    public const string PlainBank = "100001";
    public const string MacBank = "100002";

    /// <summary>The published demo key of bank 100002 (migration 0001).</summary>
    public static readonly byte[] MacKey = Convert.FromHexString("6d61632d6b65792d6f662d64656d6f2d62616e6b2d3130303030322d2d2d2d21");

    // RRNs must not repeat across runs against the same database, or the switch rightly answers them as repeats.
    private static readonly string RunPrefix = new(Random.Shared.GetItems("ABCDEFGHJKLMNPQRSTUVWXYZ".ToCharArray(), 4));
    private static int _stan;

    public static IsoMessage Network(string bank, string code) => Stamp(new IsoMessage("0800"), bank).Set(70, code);

    public static IsoMessage Payment(string bank, string account = "1234567890", long amount = 15_000, string biller = "ELECT", string channel = "ATM", string currency = "682") =>
        Stamp(new IsoMessage("0200"), bank)
            .Set(3, "500000").Set(4, amount.ToString("D12")).Set(41, "ATM00001")
            .Set(48, Field48.Build(("BC", biller), ("AN", account), ("CH", channel))).Set(49, currency).Set(102, "SA0380000000608010167519");

    public static IsoMessage Inquiry(string bank, string account = "1234567890", string biller = "ELECT", string channel = "ATM") =>
        Stamp(new IsoMessage("0100"), bank)
            .Set(3, "310000").Set(41, "ATM00001").Set(48, Field48.Build(("BC", biller), ("AN", account), ("CH", channel)));

    public static IsoMessage Stamp(IsoMessage message, string bank)
    {
        var stan = Interlocked.Increment(ref _stan) % 1_000_000;
        return message.Set(7, "1122153045").Set(11, stan.ToString("D6")).Set(12, "153045").Set(13, "1122")
            .Set(32, bank).Set(37, $"T{RunPrefix}{stan:D7}");
    }
}
