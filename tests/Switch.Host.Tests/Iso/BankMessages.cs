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

    public static IsoMessage Network(string bank, string code) => Stamp(BankRequests.Network(bank, code));

    public static IsoMessage Payment(string bank, string account = "1234567890", long amount = 15_000, string biller = "ELECT", string channel = "ATM", string currency = "682") =>
        Stamp(BankRequests.Payment(bank, biller, account, amount, channel, currency));

    public static IsoMessage Inquiry(string bank, string account = "1234567890", string biller = "ELECT", string channel = "ATM") =>
        Stamp(BankRequests.Inquiry(bank, biller, account, channel));

    public static IsoMessage Reversal(IsoMessage payment, bool repeat = false) =>
        BankRequests.Reversal(payment, Interlocked.Increment(ref _stan), new DateTime(2026, 11, 22, 15, 31, 0, DateTimeKind.Utc), repeat);

    public static IsoMessage Stamp(IsoMessage message)
    {
        var stan = Interlocked.Increment(ref _stan);
        return message.Stamp(stan, $"T{RunPrefix}{stan % 10_000_000:D7}", new DateTime(2026, 11, 22, 15, 30, 45, DateTimeKind.Utc));
    }
}
