using Switch.Billers.Registry;
using Switch.Billing;

namespace Switch.Billers.Tests.Registry;

public class BillerDraftTests
{
    public static BillerDraft Valid() => new(
        Code: "MOI", NameEn: "Ministry of Interior", NameAr: "وزارة الداخلية", Category: "government_fees",
        Services: [new ServiceDraft("PASSPORT", "Passport fee", "رسوم الجواز")], Presentment: "hosted", BillFetch: "mandatory",
        PaymentRule: "PARTIAL", MinimumPayment: "10.00", Currency: "SAR", TransactionLimit: "5000.00", AccountPattern: "^[0-9]{10}$",
        Parameters: [new ParameterDraft("nationalId", "National ID", "رقم الهوية", "digits", MaxLength: 10)],
        Channels: ["IB", "MB"], Banks: ["100001"], TimeoutMs: 3000,
        Maintenance: [new MaintenanceDraft(DateTimeOffset.Parse("2026-12-07T01:00:00Z"), DateTimeOffset.Parse("2026-12-07T03:00:00Z"), "yearly closing")]);

    [Fact]
    public void A_valid_draft_becomes_its_definition_and_reads_back_the_same()
    {
        var (definition, problems) = Valid().Validate();

        Assert.Empty(problems);
        Assert.Equal((PaymentRule.Partial, 1000L, BillFetch.Mandatory), (definition!.Rule, definition.MinimumPayment!.Value.Minor, definition.Fetch));
        var back = BillerDraft.From(definition);
        Assert.Equal(("partial", "mandatory", "10.00", "PARTIAL"), (BillerDraft.Name(definition.Rule), back.BillFetch, back.MinimumPayment, back.PaymentRule));
        Assert.Empty(back.Validate().Problems);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var (definition, problems) = (Valid() with { Code = "moi", Category = "bakery", Currency = "USD", AccountPattern = "[0-9]+", Channels = [] }).Validate();

        Assert.Null(definition);
        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("code", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("category", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("currency", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("accountPattern", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("channels", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PARTIAL", null, null, "minimumPayment is required")]
    [InlineData("OVERPAY", null, null, "maximumPayment is required")]
    [InlineData("EXACT", "10.00", null, "minimumPayment applies to PARTIAL only")]
    [InlineData("PARTIAL", "6000.00", null, "not be above transactionLimit")]
    [InlineData("PARTIAL", "10.001", null, "at most 2 decimals")]
    [InlineData("SOMETIMES", null, null, "paymentRule must be")]
    public void Payment_rules_carry_their_bounds(string rule, string? minimum, string? maximum, string problem)
    {
        var (_, problems) = (Valid() with { PaymentRule = rule, MinimumPayment = minimum, MaximumPayment = maximum }).Validate();

        Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void A_prepaid_biller_has_no_bill_to_fetch_and_takes_any_amount()
    {
        var prepaid = Valid() with { Presentment = "prepaid", PaymentRule = "ANY", MinimumPayment = null, BillFetch = "not_supported" };
        Assert.Empty(prepaid.Validate().Problems);

        Assert.Contains((prepaid with { BillFetch = "mandatory" }).Validate().Problems, p => p.StartsWith("billFetch", StringComparison.Ordinal));
        Assert.Contains((prepaid with { PaymentRule = "EXACT" }).Validate().Problems, p => p.StartsWith("paymentRule", StringComparison.Ordinal));
        Assert.Contains((Valid() with { BillFetch = "not_supported" }).Validate().Problems, p => p.StartsWith("billFetch", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(99)]
    [InlineData(3501)]
    public void The_timeout_leaves_the_switch_its_share_of_the_banks_time(int timeoutMs) =>
        Assert.Contains((Valid() with { TimeoutMs = timeoutMs }).Validate().Problems, p => p.StartsWith("timeoutMs", StringComparison.Ordinal));

    [Fact]
    public void Maintenance_windows_run_forward_and_briefly()
    {
        var at = DateTimeOffset.Parse("2026-12-07T01:00:00Z");
        Assert.Single((Valid() with { Maintenance = [new MaintenanceDraft(at, at.AddHours(-1))] }).Validate().Problems);
        Assert.Single((Valid() with { Maintenance = [new MaintenanceDraft(at, at.AddDays(8))] }).Validate().Problems);
        Assert.Single((Valid() with { Maintenance = [new MaintenanceDraft(null, at)] }).Validate().Problems);
    }

    [Fact]
    public void Names_services_parameters_and_the_settlement_account_are_checked()
    {
        Assert.Contains((Valid() with { NameAr = "Interior" }).Validate().Problems, p => p.Contains("Arabic", StringComparison.Ordinal));
        Assert.Contains((Valid() with { Services = [new ServiceDraft("A", "x", "س"), new ServiceDraft("A", "y", "ص")] }).Validate().Problems,
            p => p.Contains("given twice", StringComparison.Ordinal));
        Assert.Contains((Valid() with { Parameters = [new ParameterDraft("accountNumber", "Account", "حساب", "text")] }).Validate().Problems,
            p => p.StartsWith("parameters[0]", StringComparison.Ordinal));
        Assert.Contains((Valid() with { Parameters = [new ParameterDraft("year", "Year", "السنة", "choice")] }).Validate().Problems,
            p => p.Contains("values", StringComparison.Ordinal));
        Assert.Contains((Valid() with { SettlementAccount = new SettlementAccountDraft("SA0380000000608010167518", "100001") }).Validate().Problems,
            p => p.Contains("mod 97", StringComparison.Ordinal));
        Assert.Empty((Valid() with { SettlementAccount = new SettlementAccountDraft("SA0380000000608010167519", "100001") }).Validate().Problems);
    }

    [Fact]
    public void Customer_parameters_validate_their_values_by_type()
    {
        var (definition, _) = (Valid() with
        {
            Parameters =
            [
                new ParameterDraft("nationalId", "National ID", "رقم الهوية", "digits", MaxLength: 10, Pattern: "^[12][0-9]{9}$"),
                new ParameterDraft("year", "Year", "السنة", "choice", Required: false, Values: ["2025", "2026"]),
                new ParameterDraft("issued", "Issue date", "تاريخ الإصدار", "date", Required: false),
            ],
        }).Validate();
        var parameters = definition!.Parameters;

        Assert.Null(CustomerParameter.Problem(parameters, new Dictionary<string, string> { ["nationalId"] = "1012345678", ["year"] = "2026", ["issued"] = "2026-01-31" }));
        Assert.Equal("nationalId is required", CustomerParameter.Problem(parameters, new Dictionary<string, string>()));
        Assert.Equal("nationalId must be digits 0-9", CustomerParameter.Problem(parameters, new Dictionary<string, string> { ["nationalId"] = "10123x5678" }));
        Assert.Contains("form", CustomerParameter.Problem(parameters, new Dictionary<string, string> { ["nationalId"] = "3012345678" }));
        Assert.Contains("one of 2025, 2026", CustomerParameter.Problem(parameters, new Dictionary<string, string> { ["nationalId"] = "1012345678", ["year"] = "2030" }));
        Assert.Contains("date", CustomerParameter.Problem(parameters, new Dictionary<string, string> { ["nationalId"] = "1012345678", ["issued"] = "2026-02-30" }));
        Assert.Contains("does not take", CustomerParameter.Problem(parameters, new Dictionary<string, string> { ["nationalId"] = "1012345678", ["other"] = "1" }));
    }
}
