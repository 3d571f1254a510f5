using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>GET /api/v1/billers, /billers/{code} and the inquiry .../accounts/{account}/bill.</summary>
[Collection(RestCollection.Name)]
public class RestBillersAndInquiryTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    private RestClient Bank(string key = RestBanks.PlainKey) => new(host.HttpPort, key);

    [Fact]
    public async Task Biller_list_shows_rules_as_text_and_whether_the_caller_may_pay()
    {
        using var plain = Bank();
        using var macBank = Bank(RestBanks.MacBankKey);

        var mine = (await plain.GetAsync("billers")).Json.AsArray();
        var theirs = (await macBank.GetAsync("billers")).Json.AsArray();
        JsonNode Biller(JsonArray list, string code) => list.Single(b => b!["code"]!.GetValue<string>() == code)!;

        Assert.Subset(mine.Select(b => b!["code"]!.GetValue<string>()).ToHashSet(), new HashSet<string> { "ELECT", "TELCO", "TOPUP", "TRAFFIC", "WATER" });
        Assert.Equal((true, false), (Biller(mine, "TRAFFIC")["enrolled"]!.GetValue<bool>(), Biller(theirs, "TRAFFIC")["enrolled"]!.GetValue<bool>()));
        var water = Biller(mine, "WATER");
        Assert.Equal(("PARTIAL", "10.00", null, "20000.00", "SAR", "hosted"), (water["paymentRule"]!.GetValue<string>(), water["minimumPayment"]?.GetValue<string>(),
            water["maximumPayment"]?.GetValue<string>(), water["transactionLimit"]!.GetValue<string>(), water["currency"]!.GetValue<string>(), water["presentment"]!.GetValue<string>()));
        Assert.Equal(["ATM", "BR", "IB", "MB"], water["channels"]!.AsArray().Select(c => c!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Biller_detail_is_found_by_code_and_an_unknown_code_is_404_92()
    {
        using var bank = Bank();

        var telco = await bank.GetAsync("billers/TELCO");
        var unknown = await bank.GetAsync("billers/NOSUCH");

        Assert.Equal((HttpStatusCode.OK, "OVERPAY", "50000.00"), (telco.Status, telco["paymentRule"], telco["maximumPayment"]));
        Assert.Equal((HttpStatusCode.NotFound, "92"), (unknown.Status, unknown.Code));
    }

    [Fact]
    public async Task Inquiry_answers_the_bill_with_money_as_text()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = Bank();

        var answer = await bank.GetAsync($"billers/ELECT/accounts/{account}/bill?channel=IB");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(("247.57", "247.57", "247.57", "SAR", "EXACT", "M*** A***", "0.00"),
            (answer["amountDue"], answer["minimumAmount"], answer["maximumAmount"], answer["currency"], answer["paymentRule"], answer["customerName"], answer["fee"]));
        Assert.Equal(($"ELECT-T{account}", 1), (answer["billNumber"], answer.Json["openBills"]!.GetValue<int>()));
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd"), answer["dueDate"]);
    }

    [Fact]
    public async Task Inquiry_of_a_prepaid_biller_has_no_bill_and_the_biller_limits()
    {
        using var bank = Bank();

        var answer = await bank.GetAsync("billers/TOPUP/accounts/0512345678/bill?channel=MB");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal((null, null, "ANY", "0.01", "1000.00"), (answer["billNumber"], answer["amountDue"], answer["paymentRule"], answer["minimumAmount"], answer["maximumAmount"]));
    }

    [Fact]
    public async Task Inquiry_refusals_have_their_codes_and_http_statuses()
    {
        var (expired, _) = await TestData.OpenBill(Postgres, amount: 5_000, expiry: new DateOnly(2025, 1, 1));
        using var plain = Bank();
        using var macBank = Bank(RestBanks.MacBankKey);

        var cases = new (string Code, HttpStatusCode Status, RestClient Bank, string Path)[]
        {
            ("14", HttpStatusCode.NotFound, plain, "billers/ELECT/accounts/0000099999/bill?channel=IB"),
            ("54", HttpStatusCode.UnprocessableEntity, plain, $"billers/ELECT/accounts/{expired}/bill?channel=IB"),
            ("B1", HttpStatusCode.UnprocessableEntity, plain, "billers/ELECT/accounts/0000000001/bill?channel=IB"),
            ("57", HttpStatusCode.Forbidden, macBank, "billers/TRAFFIC/accounts/0000000005/bill?channel=IB"),
            ("92", HttpStatusCode.NotFound, plain, "billers/NOSUCH/accounts/0000000005/bill?channel=IB"),
            ("30", HttpStatusCode.BadRequest, plain, "billers/ELECT/accounts/0000000005/bill"),
            ("30", HttpStatusCode.BadRequest, plain, "billers/ELECT/accounts/0000000005/bill?channel=ib"),
        };

        foreach (var (code, status, bank, path) in cases)
        {
            var answer = await bank.GetAsync(path);
            Assert.True((code, status) == (answer.Code, answer.Status), $"{path} answered {answer}, expected {(int)status} {code}");
        }
    }
}
