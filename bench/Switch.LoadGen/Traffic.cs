using System.Globalization;
using Switch.Adapters.Iso8583;

namespace Switch.LoadGen;

/// <summary>
/// The requests simulated banks send: valid prepaid top-ups (any amount, no bill needed, so load can run for as
/// long as wanted), invalid payments (zero amount, answered 13), and inquiries of seeded electricity accounts.
/// RRNs carry a per-run prefix so runs never collide in the journal.
/// </summary>
public sealed class Traffic(string bank, int inquiryPercent, int invalidPercent)
{
    public string RunPrefix { get; } = new(Random.Shared.GetItems("ABCDEFGHJKLMNPQRSTUVWXYZ".ToCharArray(), 4));

    private long _sequence;

    public (IsoMessage Request, bool IsPayment) Next(Random random)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var roll = random.Next(100);
        var message = roll < inquiryPercent
            ? BankRequests.Inquiry(bank, "ELECT", random.Next(3, 30_001).ToString("D10", CultureInfo.InvariantCulture))
            : BankRequests.Payment(bank, "TOPUP", "05" + random.Next(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture),
                roll < inquiryPercent + invalidPercent ? 0 : random.Next(100, 10_000), channel: "MB");
        message.Stamp(sequence, $"L{RunPrefix}{sequence % 10_000_000:D7}", _started);
        return (message, message.Mti == "0200");
    }

    // One timestamp for the run: field 13, part of every key, stays the same for the journal check.
    private readonly DateTime _started = DateTime.UtcNow;
}
