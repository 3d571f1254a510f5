using Switch.Billers.Registry;
using Switch.Billing;

namespace Switch.Billers.Catalog;

/// <summary>One payable thing in the catalog: a biller's service, or a biller that has no services.</summary>
public sealed record CatalogEntry(Biller Biller, BillerService? Service);

/// <summary>A page of results: <paramref name="Total"/> counts every match, <paramref name="Items"/> holds page <paramref name="Page"/> (from 1).</summary>
public sealed record CatalogPage<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

/// <summary>
/// The catalog channels browse (categories → billers → services), searchable in Arabic and English: built once per
/// snapshot of the billers, each entry's names and codes kept as one <see cref="ArabicText"/>-normalised text, so a
/// search is a scan of those texts in memory (every word of the query found in an entry), no database round trip.
/// Immutable: searches run concurrently on it while a newer snapshot gets its own index.
/// </summary>
public sealed class CatalogIndex
{
    public const int MaxPageSize = 100;

    private readonly CatalogEntry[] _entries;
    private readonly string[] _entryTexts;
    private readonly Biller[] _billers;
    private readonly string[] _billerTexts;
    private readonly Dictionary<string, int> _billersPerCategory;

    public CatalogIndex(IEnumerable<Biller> billers)
    {
        var order = BillerCategories.All.Select((c, i) => (c.Code, i)).ToDictionary(x => x.Code, x => x.i, StringComparer.Ordinal);
        _billers = [.. billers.OrderBy(b => order.GetValueOrDefault(b.Category, int.MaxValue)).ThenBy(b => b.NameEn, StringComparer.Ordinal).ThenBy(b => b.Code, StringComparer.Ordinal)];
        _billerTexts = [.. _billers.Select(b => ArabicText.Normalize($"{b.Code} {b.NameEn} {b.NameAr}"))];
        var entries = new List<CatalogEntry>();
        var texts = new List<string>();
        for (var i = 0; i < _billers.Length; i++)
        {
            var biller = _billers[i];
            if (biller.Services.Count == 0)
            {
                entries.Add(new CatalogEntry(biller, null));
                texts.Add(_billerTexts[i]);
            }

            foreach (var service in biller.Services)
            {
                entries.Add(new CatalogEntry(biller, service));
                texts.Add($"{_billerTexts[i]} {ArabicText.Normalize($"{service.Code} {service.NameEn} {service.NameAr}")}");
            }
        }

        _entries = [.. entries];
        _entryTexts = [.. texts];
        _billersPerCategory = _billers.GroupBy(b => b.Category).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    public int EntryCount => _entries.Length;

    /// <summary>Every category with how many billers it has now, in the channels' order (empty ones too: a channel may hide them).</summary>
    public IReadOnlyList<(BillerCategory Category, int Billers)> Categories() =>
        [.. BillerCategories.All.Select(c => (c, _billersPerCategory.GetValueOrDefault(c.Code)))];

    /// <summary>Billers of <paramref name="category"/> (any when null) whose code or names hold every word of <paramref name="query"/>.</summary>
    public CatalogPage<Biller> Billers(string? category, string? query, int page, int pageSize) =>
        Search(_billers, _billerTexts, b => category is null || b.Category == category, query, page, pageSize);

    /// <summary>Services (and billers without services) matching every word of <paramref name="query"/> in their own or their biller's names.</summary>
    public CatalogPage<CatalogEntry> Services(string? category, string? billerCode, string? query, int page, int pageSize) =>
        Search(_entries, _entryTexts, e => (category is null || e.Biller.Category == category) && (billerCode is null || e.Biller.Code == billerCode), query, page, pageSize);

    private static CatalogPage<T> Search<T>(T[] items, string[] texts, Func<T, bool> filter, string? query, int page, int pageSize)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        page = Math.Max(page, 1);
        // The definite article is left off the query's words: matching is by substring, so "المياه" then finds "مياه" too.
        var words = ArabicText.Normalize(query).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Length > 3 && w.StartsWith("ال", StringComparison.Ordinal) ? w[2..] : w).ToArray();
        var skip = (long)(page - 1) * pageSize;
        var found = new List<T>(pageSize);
        var total = 0;
        for (var i = 0; i < items.Length; i++)
        {
            if (!Matches(texts[i], words) || !filter(items[i]))
            {
                continue;
            }

            if (total >= skip && found.Count < pageSize)
            {
                found.Add(items[i]);
            }

            total++;
        }

        return new CatalogPage<T>(found, total, page, pageSize);
    }

    private static bool Matches(string text, string[] words)
    {
        foreach (var word in words)
        {
            if (!text.Contains(word, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
