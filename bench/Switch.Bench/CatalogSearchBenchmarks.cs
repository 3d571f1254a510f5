using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Switch.Billers.Catalog;
using Switch.Billing;
using Switch.Monetary;

namespace Switch.Bench;

/// <summary>
/// The channels' catalog search over 5,000 services (250 billers of 20 services, names in Arabic and English as a
/// government portal lists them): what one GET /api/v1/catalog/services costs the switch once the request is read.
/// </summary>
[MemoryDiagnoser]
public class CatalogSearchBenchmarks
{
    private static readonly string[] Categories = ["electricity", "water", "telecom", "government_fees", "traffic_fines", "taxes", "education", "health"];

    private static readonly (string En, string Ar)[] Agencies =
    [
        ("Ministry of Interior", "وزارة الداخلية"), ("Ministry of Justice", "وزارة العدل"), ("Ministry of Education", "وزارة التربية والتعليم"),
        ("Ministry of Health", "وزارة الصحة"), ("Municipality", "البلدية"), ("Electricity Company", "شركة الكهرباء"), ("Water Authority", "مؤسسة المياه"),
        ("Telecom Operator", "مشغل الاتصالات"), ("Tax Authority", "هيئة الضرائب"), ("Traffic Police", "شرطة المرور"),
    ];

    private static readonly (string En, string Ar)[] Services =
    [
        ("Passport renewal fee", "رسوم تجديد جواز السفر"), ("Residence permit", "تصريح الإقامة"), ("Monthly bill", "الفاتورة الشهرية"),
        ("Late payment fine", "غرامة التأخير"), ("Certificate issuance", "إصدار شهادة"), ("Building permit", "رخصة البناء"),
        ("Vehicle registration", "تسجيل المركبة"), ("Driving licence", "رخصة القيادة"), ("Court fees", "الرسوم القضائية"),
        ("School fees", "الرسوم المدرسية"), ("Meter installation", "تركيب العداد"), ("New connection", "توصيل جديد"),
        ("Annual property tax", "ضريبة العقار السنوية"), ("Income tax", "ضريبة الدخل"), ("Traffic violation", "مخالفة مرورية"),
        ("Medical report", "تقرير طبي"), ("Exam registration", "تسجيل الامتحان"), ("Commercial register", "السجل التجاري"),
        ("Birth certificate", "شهادة الميلاد"), ("Prepaid top-up", "شحن الرصيد المسبق"),
    ];

    private CatalogIndex _index = null!;
    private Biller[] _billers = [];

    [GlobalSetup]
    public void Setup()
    {
        var sar = Currency.FromAlpha("SAR")!;
        _billers = [.. Enumerable.Range(0, 250).Select(i =>
        {
            var (en, ar) = Agencies[i % Agencies.Length];
            return new Biller($"B{i:D4}", $"{en} {i / Agencies.Length + 1}", $"{ar} {i / Agencies.Length + 1}", Categories[i % Categories.Length], sar,
                PresentmentMode.Hosted, PaymentRule.Exact, Money.Zero(sar), Money.Zero(sar), new Money(1_000_000, sar), new Regex("^[0-9]{10}$"),
                new HashSet<string> { "100001" }, new HashSet<Channel> { Channel.Ib })
            {
                Services = [.. Services.Select((s, j) => new BillerService($"S{j:D2}", $"{s.En} ({i})", s.Ar))],
            };
        })];
        _index = new CatalogIndex(_billers);
        if (_index.EntryCount != 5_000)
        {
            throw new InvalidOperationException($"{_index.EntryCount} entries instead of 5,000");
        }
    }

    /// <summary>One Arabic word in another spelling than the names' (ة typed as ه): 250 matches, first page of 20.</summary>
    [Benchmark]
    public int ArabicWord() => _index.Services(null, null, "الفاتوره", 1, 20).Total;

    /// <summary>Two Arabic words, with hamza and harakat, to be found together.</summary>
    [Benchmark]
    public int ArabicTwoWords() => _index.Services(null, null, "رُسوم جواز", 1, 20).Total;

    [Benchmark]
    public int EnglishTwoWords() => _index.Services(null, null, "Driving Licence", 1, 20).Total;

    /// <summary>Nothing matches: every entry is scanned.</summary>
    [Benchmark]
    public int NoMatch() => _index.Services(null, null, "zzzz", 1, 20).Total;

    [Benchmark]
    public int CategoryLastPage() => _index.Services("taxes", null, null, 31, 20).Total;

    /// <summary>Rebuilding the index when the catalog reloads its snapshot.</summary>
    [Benchmark]
    public int BuildIndex() => new CatalogIndex(_billers).EntryCount;
}
