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
        var now = DateTime.UtcNow;
        IsoMessage message;
        if (roll < inquiryPercent)
        {
            message = new IsoMessage("0100").Set(3, "310000")
                .Set(48, Field48.Build(("BC", "ELECT"), ("AN", random.Next(3, 30_001).ToString("D10", CultureInfo.InvariantCulture)), ("CH", "ATM")));
        }
        else
        {
            var amount = roll < inquiryPercent + invalidPercent ? 0 : random.Next(100, 10_000);
            message = new IsoMessage("0200").Set(3, "500000").Set(4, amount.ToString("D12", CultureInfo.InvariantCulture)).Set(49, "682")
                .Set(48, Field48.Build(("BC", "TOPUP"), ("AN", "05" + random.Next(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture)), ("CH", "MB")));
        }

        message.Set(7, now.ToString("MMddHHmmss", CultureInfo.InvariantCulture))
            .Set(11, (sequence % 1_000_000).ToString("D6", CultureInfo.InvariantCulture))
            .Set(12, now.ToString("HHmmss", CultureInfo.InvariantCulture))
            .Set(13, LocalDate)
            .Set(32, bank)
            .Set(37, $"L{RunPrefix}{sequence % 10_000_000:D7}")
            .Set(41, "LOADGEN1");
        return (message, message.Mti == "0200");
    }

    /// <summary>One local date for the whole run, so the journal check knows every key.</summary>
    public string LocalDate { get; } = DateTime.UtcNow.ToString("MMdd", CultureInfo.InvariantCulture);
}
