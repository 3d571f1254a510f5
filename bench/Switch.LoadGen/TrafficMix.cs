using System.Globalization;

namespace Switch.LoadGen;

/// <summary>
/// Which operation comes next, by weight. An entry that has nothing to offer (no approval left to reverse, no open
/// bill left) gives way to a prepaid top-up, which is always valid, so a run can last as long as wanted.
/// </summary>
public sealed class TrafficMix
{
    private readonly List<(int Weight, Func<Random, Operation?> Make)> _entries = [];
    private readonly Func<Random, Operation> _fallback;

    private TrafficMix(Func<Random, Operation> fallback) => _fallback = fallback;

    public int TotalWeight => _entries.Sum(e => e.Weight);

    public Operation Next(Random random)
    {
        var roll = random.Next(TotalWeight);
        foreach (var (weight, make) in _entries)
        {
            if (roll < weight)
            {
                return make(random) ?? _fallback(random);
            }

            roll -= weight;
        }

        return _fallback(random);
    }

    /// <summary>
    /// The benchmark: prepaid top-ups (valid, or zero and answered 13), inquiries of seeded electricity accounts and
    /// reversals of this run's approvals, for one bank.
    /// </summary>
    public static TrafficMix Bench(string bank, int inquiryPercent, int invalidPercent, int reversalPercent, Ledger ledger)
    {
        var mix = new TrafficMix(random => TopUp(bank, random));
        mix.Add(inquiryPercent, random => new Inquiry(bank, "ELECT", SeededAccount(random), "ATM"));
        mix.Add(invalidPercent, random => new Payment(bank, "TOPUP", MobileNumber(random), 0, "MB"));
        mix.Add(reversalPercent, _ => ledger.NextToReverse());
        mix.Add(Math.Max(0, 100 - inquiryPercent - invalidPercent - reversalPercent), random => TopUp(bank, random));
        return mix;
    }

    /// <summary>
    /// The demo: what banks' customers do on a normal day, both banks, with every refusal of the spec now and then:
    /// open hosted bills paid exactly, top-ups, inquiries, wrong amounts, expired and paid bills, unknown accounts
    /// and billers, a bank paying a biller it is not enrolled with, amounts over the limit, and reversals.
    /// </summary>
    public static TrafficMix Demo(IReadOnlyList<string> banks, string notEnrolledBank, OpenBills bills, Ledger ledger)
    {
        string AnyBank(Random random) => banks[random.Next(banks.Count)];
        var mix = new TrafficMix(random => TopUp(AnyBank(random), random));
        mix.Add(30, random => bills.Take() is { } bill ? new Payment(AnyBank(random), bill.Biller, bill.Account, bill.Outstanding, "IB") : null);
        mix.Add(15, random => new Inquiry(AnyBank(random), "ELECT", SeededAccount(random), "IB"));
        mix.Add(15, random => TopUp(AnyBank(random), random));
        mix.Add(6, random => new Payment(AnyBank(random), "ELECT", SeededAccount(random), 1, "IB"));
        mix.Add(3, random => new Payment(AnyBank(random), "ELECT", "0000000002", 5_000, "IB"));
        mix.Add(3, random => new Payment(AnyBank(random), "WATER", "0000000001", 5_000, "IB"));
        mix.Add(3, random => new Payment(AnyBank(random), "ELECT", "0000099999", 5_000, "IB"));
        mix.Add(3, random => new Payment(notEnrolledBank, "TRAFFIC", SeededAccount(random), 20_000, "IB"));
        mix.Add(3, random => new Payment(AnyBank(random), "TOPUP", MobileNumber(random), 150_000, "IB"));
        mix.Add(2, random => new Payment(AnyBank(random), "NOSUCH", SeededAccount(random), 1_000, "IB"));
        mix.Add(5, _ => ledger.NextToReverse());
        return mix;
    }

    private void Add(int weight, Func<Random, Operation?> make)
    {
        if (weight > 0)
        {
            _entries.Add((weight, make));
        }
    }

    private static Payment TopUp(string bank, Random random) => new(bank, "TOPUP", MobileNumber(random), random.Next(100, 10_000), "MB");

    /// <summary>Accounts 3 to 30,000 of the seeded billers (1 is paid, 2 has an expired bill).</summary>
    private static string SeededAccount(Random random) => random.Next(3, 30_001).ToString("D10", CultureInfo.InvariantCulture);

    private static string MobileNumber(Random random) => "05" + random.Next(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
}
