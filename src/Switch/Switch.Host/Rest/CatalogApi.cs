using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Adapters.Postgres;
using Switch.Billers.Catalog;
using Switch.Billing;

namespace Switch.Host.Rest;

/// <summary>
/// /api/v1/catalog: what channels show payers, read-only: categories → billers → services, searchable in Arabic and
/// English (q: every word must appear; letter forms, marks and digits normalised), paged (page from 1, pageSize up to
/// 100). Answered from an index in memory over the billers' snapshot, rebuilt when the snapshot is reloaded.
/// </summary>
public static class CatalogApi
{
    public static RouteGroupBuilder MapCatalogApi(this RouteGroupBuilder api)
    {
        var catalog = api.MapGroup("/catalog").WithTags("Catalog");
        catalog.MapGet("/categories", CategoriesAsync).WithName("CatalogCategories");
        catalog.MapGet("/billers", BillersAsync).WithName("CatalogBillers").ProducesProblem(StatusCodes.Status400BadRequest);
        catalog.MapGet("/services", ServicesAsync).WithName("CatalogServices").ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    private static async Task<Ok<CategoryBody[]>> CategoriesAsync(HttpContext http, CatalogSearch search) =>
        TypedResults.Ok((await search.IndexAsync(http.Deadline())).Categories().Select(c => new CategoryBody(c.Category.Code, c.Category.NameEn, c.Category.NameAr, c.Billers)).ToArray());

    private static async Task<Results<Ok<CatalogPageBody<CatalogBillerBody>>, ProblemHttpResult>> BillersAsync(
        string? category, string? q, string? page, string? pageSize, HttpContext http, CatalogSearch search)
    {
        if (Paging(page, pageSize) is not var (number, size))
        {
            return Problems.For(ResponseCodes.FormatError, $"page is a number from 1 and pageSize from 1 to {CatalogIndex.MaxPageSize}", http);
        }

        var bank = http.CallingBank().Code;
        var found = (await search.IndexAsync(http.Deadline())).Billers(category, q, number, size);
        return TypedResults.Ok(new CatalogPageBody<CatalogBillerBody>([.. found.Items.Select(b => BillerBody(b, bank))], found.Total, found.Page, found.PageSize));
    }

    private static async Task<Results<Ok<CatalogPageBody<CatalogServiceBody>>, ProblemHttpResult>> ServicesAsync(
        string? category, string? biller, string? q, string? page, string? pageSize, HttpContext http, CatalogSearch search)
    {
        if (Paging(page, pageSize) is not var (number, size))
        {
            return Problems.For(ResponseCodes.FormatError, $"page is a number from 1 and pageSize from 1 to {CatalogIndex.MaxPageSize}", http);
        }

        var bank = http.CallingBank().Code;
        var found = (await search.IndexAsync(http.Deadline())).Services(category, biller, q, number, size);
        return TypedResults.Ok(new CatalogPageBody<CatalogServiceBody>([.. found.Items.Select(e => new CatalogServiceBody(
            e.Biller.Code, e.Biller.NameEn, e.Biller.NameAr, e.Biller.Category, e.Service?.Code, e.Service?.NameEn ?? e.Biller.NameEn,
            e.Service?.NameAr ?? e.Biller.NameAr, e.Biller.EnrolledBanks.Contains(bank)))], found.Total, found.Page, found.PageSize));
    }

    private static (int Page, int PageSize)? Paging(string? page, string? pageSize)
    {
        var number = page is null ? 1 : int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
        var size = pageSize is null ? 20 : int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        return number >= 1 && size is >= 1 and <= CatalogIndex.MaxPageSize ? (number, size) : null;
    }

    private static CatalogBillerBody BillerBody(Biller b, string bank) => new(
        b.Code, b.NameEn, b.NameAr, b.Category, b.Mode.ToString().ToLowerInvariant(), Switch.Billers.Registry.BillerDraft.Name(b.Fetch),
        b.Rule.ToString().ToUpperInvariant(), b.Currency.Alpha, [.. b.Services.Select(s => new CatalogServiceRef(s.Code, s.NameEn, s.NameAr))],
        b.EnrolledBanks.Contains(bank));
}

/// <summary>The catalog index of the billers' current snapshot: built again only when the catalog has loaded a new one.</summary>
public sealed class CatalogSearch(PostgresBillerCatalog catalog)
{
    private (IReadOnlyDictionary<string, Biller> Source, CatalogIndex Index)? _current;

    public async ValueTask<CatalogIndex> IndexAsync(CancellationToken cancellationToken)
    {
        var snapshot = await catalog.SnapshotAsync(cancellationToken);
        if (_current is { } current && ReferenceEquals(current.Source, snapshot))
        {
            return current.Index;
        }

        // Two requests may build the same index at once; both are right, and the last one stays.
        var index = new CatalogIndex(snapshot.Values);
        _current = (snapshot, index);
        return index;
    }
}

public sealed record CategoryBody(string Code, string NameEn, string NameAr, int Billers);

public sealed record CatalogPageBody<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

public sealed record CatalogServiceRef(string Code, string NameEn, string NameAr);

public sealed record CatalogBillerBody(
    string Code, string NameEn, string NameAr, string Category, string Presentment, string BillFetch, string PaymentRule, string Currency,
    IReadOnlyList<CatalogServiceRef> Services, bool Enrolled);

public sealed record CatalogServiceBody(
    string BillerCode, string BillerNameEn, string BillerNameAr, string Category, string? ServiceCode, string NameEn, string NameAr, bool Enrolled);
