using System.Text.RegularExpressions;
using Switch.Billers.Catalog;
using Switch.Billing;
using Switch.Monetary;

namespace Switch.Billers.Tests.Catalog;

public class CatalogIndexTests
{
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;

    public static Biller Biller(string code, string nameEn, string nameAr, string category, params BillerService[] services) =>
        new(code, nameEn, nameAr, category, Sar, PresentmentMode.Hosted, PaymentRule.Exact, Money.Zero(Sar), Money.Zero(Sar), new Money(100_000, Sar),
            new Regex("^[0-9]{10}$"), new HashSet<string> { "100001" }, new HashSet<Channel> { Channel.Ib })
        { Services = services };

    private static readonly CatalogIndex Index = new(
    [
        Biller("ELECT", "National Electricity", "الكهرباء الوطنية", "electricity", new BillerService("BILL", "Electricity bill", "فاتورة الكهرباء")),
        Biller("MOI", "Ministry of Interior", "وزارة الداخلية", "government_fees",
            new BillerService("PASSPORT", "Passport renewal fee", "رسوم تجديد جواز السفر"),
            new BillerService("IQAMA", "Residence permit fee", "رسوم الإقامة")),
        Biller("WATER", "National Water", "المياه الوطنية", "water"),
    ]);

    [Fact]
    public void Arabic_search_finds_the_other_spelling_of_ta_marbuta()
    {
        var found = Index.Services(null, null, "فاتوره", 1, 20);

        Assert.Equal(("ELECT", "BILL"), (found.Items.Single().Biller.Code, found.Items.Single().Service!.Code));
    }

    [Fact]
    public void Hamza_forms_and_harakat_in_the_query_do_not_matter()
    {
        Assert.Equal("IQAMA", Index.Services(null, null, "الاقامة", 1, 20).Items.Single().Service!.Code);
        Assert.Equal("PASSPORT", Index.Services(null, null, "جَوَاز", 1, 20).Items.Single().Service!.Code);
    }

    [Fact]
    public void The_definite_article_in_the_query_is_optional_in_the_name() =>
        Assert.Equal("PASSPORT", Index.Services(null, null, "الجواز", 1, 20).Items.Single().Service!.Code);

    [Fact]
    public void English_search_is_case_blind_and_every_word_must_match()
    {
        Assert.Equal(2, Index.Services(null, null, "FEE", 1, 20).Total);
        Assert.Equal("PASSPORT", Index.Services(null, null, "fee passport", 1, 20).Items.Single().Service!.Code);
        Assert.Empty(Index.Services(null, null, "passport water", 1, 20).Items);
    }

    [Fact]
    public void A_biller_name_finds_its_services_and_a_biller_without_services_is_an_entry_itself()
    {
        Assert.Equal(2, Index.Services(null, null, "الداخلية", 1, 20).Total);
        var water = Index.Services(null, null, "المياه", 1, 20).Items.Single();
        Assert.Equal(("WATER", null), (water.Biller.Code, water.Service));
    }

    [Fact]
    public void Categories_count_their_billers_in_the_channels_order()
    {
        var categories = Index.Categories();

        Assert.Equal("electricity", categories[0].Category.Code);
        Assert.Equal(1, categories.Single(c => c.Category.Code == "government_fees").Billers);
        Assert.Equal(0, categories.Single(c => c.Category.Code == "taxes").Billers);
    }

    [Fact]
    public void Billers_filter_by_category_and_pages_cover_every_match_once()
    {
        Assert.Equal("WATER", Index.Billers("water", null, 1, 10).Items.Single().Code);
        var all = Enumerable.Range(1, 4).SelectMany(page => Index.Services(null, null, null, page, 1).Items).ToList();
        Assert.Equal(4, Index.Services(null, null, null, 1, 1).Total);
        Assert.Equal(4, all.Distinct().Count());
        Assert.Empty(Index.Services(null, null, null, 5, 1).Items);
    }
}
