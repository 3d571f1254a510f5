using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>
/// The biller registry over REST: operators create, update, suspend and resume billers (validated whole, audited),
/// a settlement account changes only with a second operator's approval, a biller's key reaches only its own bills,
/// maintenance windows refuse payments with 91, and the channels' catalog finds billers in Arabic and English.
/// </summary>
[Collection(RestCollection.Name)]
public class RestBillerRegistryTests(HostFixture host)
{
    private const string Iban = "SA0380000000608010167519";

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    public static string NewCode() => "T" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..9];

    public static JsonObject Draft(string code, string presentment = "hosted") => new()
    {
        ["code"] = code,
        ["nameEn"] = $"Test Water {code}",
        ["nameAr"] = $"مياه الاختبار {code}",
        ["category"] = "water",
        ["services"] = new JsonArray(new JsonObject { ["code"] = "BILL", ["nameEn"] = "Water bill", ["nameAr"] = "فاتورة المياه" }),
        ["presentment"] = presentment,
        ["billFetch"] = presentment == "prepaid" ? "not_supported" : "optional",
        ["paymentRule"] = presentment == "prepaid" ? "ANY" : "EXACT",
        ["currency"] = "SAR",
        ["transactionLimit"] = "5000.00",
        ["accountPattern"] = "^[0-9]{10}$",
        ["channels"] = new JsonArray("IB", "MB"),
        ["banks"] = new JsonArray("100001", "100002"),
    };

    private async Task<RestClient.Answer> CreateAsync(RestClient client, JsonObject draft) =>
        await client.SendAsync(HttpMethod.Post, "operator/billers", draft.ToJsonString());

    [Fact]
    public async Task A_created_biller_is_audited_and_in_force_at_once()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var code = NewCode();

        var created = await CreateAsync(operatorClient, Draft(code, "prepaid"));
        var shown = await operatorClient.GetAsync($"operator/billers/{code}");
        var inquiry = await bank.GetAsync($"billers/{code}/accounts/0123456789/bill?channel=IB");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(("active", "prepaid", "not_supported"), (shown["status"], shown.Json["definition"]!["presentment"]!.GetValue<string>(),
            shown.Json["definition"]!["billFetch"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, inquiry.Status);
        Assert.Equal(("operator", "Demo operator"), await AuditAsync("biller.create", code));
    }

    [Fact]
    public async Task An_invalid_biller_is_400_with_every_problem_and_nothing_is_written()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        var code = NewCode();
        var draft = Draft(code);
        draft["paymentRule"] = "PARTIAL";
        draft["accountPattern"] = "[0-9]+";
        draft["banks"] = new JsonArray("100001", "100001");

        var refused = await CreateAsync(operatorClient, draft);
        var unknownBank = await CreateAsync(operatorClient, Draft(code).Also(d => d["banks"] = new JsonArray("99999999999")));
        var shown = await operatorClient.GetAsync($"operator/billers/{code}");

        Assert.Equal((HttpStatusCode.BadRequest, "30", "application/problem+json"), (refused.Status, refused.Code, refused.ContentType));
        Assert.Equal(3, refused.Json["errors"]!.AsArray().Count);
        Assert.Contains("minimumPayment", refused["detail"]);
        Assert.Equal((HttpStatusCode.BadRequest, "30"), (unknownBank.Status, unknownBank.Code));
        Assert.Contains("no bank", unknownBank["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, shown.Status);
    }

    [Fact]
    public async Task Update_suspend_and_resume_reach_the_banks()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var code = NewCode();
        await CreateAsync(operatorClient, Draft(code, "prepaid"));
        var inquiry = $"billers/{code}/accounts/0123456789/bill?channel=IB";

        var duplicate = await CreateAsync(operatorClient, Draft(code, "prepaid"));
        var updated = await operatorClient.SendAsync(HttpMethod.Put, $"operator/billers/{code}",
            Draft(code, "prepaid").Also(d => d["transactionLimit"] = "20.00").ToJsonString());
        var limit = (await bank.GetAsync(inquiry))["maximumAmount"];
        var suspended = await operatorClient.SendAsync(HttpMethod.Post, $"operator/billers/{code}/suspend");
        var whileSuspended = await bank.GetAsync(inquiry);
        var again = await operatorClient.SendAsync(HttpMethod.Post, $"operator/billers/{code}/suspend");
        var resumed = await operatorClient.SendAsync(HttpMethod.Post, $"operator/billers/{code}/resume");
        var afterResume = await bank.GetAsync(inquiry);
        var otherCode = await operatorClient.SendAsync(HttpMethod.Put, $"operator/billers/{code}", Draft(NewCode(), "prepaid").ToJsonString());

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.OK, "20.00"), (duplicate.Status, updated.Status, limit));
        Assert.Equal((HttpStatusCode.OK, "suspended"), (suspended.Status, suspended["status"]));
        Assert.Equal("92", whileSuspended.Code);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (resumed.Status, afterResume.Status));
        Assert.Equal((HttpStatusCode.BadRequest, "30"), (otherCode.Status, otherCode.Code));
        Assert.Equal(("operator", "Demo operator"), await AuditAsync("biller.suspend", code));
    }

    [Fact]
    public async Task A_settlement_account_changes_only_with_another_operators_approval()
    {
        using var maker = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        using var checker = new RestClient(host.HttpPort, await RestBanks.CreateKey(Postgres, "operator"));
        var code = NewCode();
        await CreateAsync(maker, Draft(code));
        var account = new JsonObject { ["iban"] = Iban, ["bank"] = "100001" }.ToJsonString();

        var badIban = await maker.SendAsync(HttpMethod.Post, $"operator/billers/{code}/settlement-account",
            new JsonObject { ["iban"] = "SA0380000000608010167518", ["bank"] = "100001" }.ToJsonString());
        var requested = await maker.SendAsync(HttpMethod.Post, $"operator/billers/{code}/settlement-account", account);
        var second = await checker.SendAsync(HttpMethod.Post, $"operator/billers/{code}/settlement-account", account);
        var bySelf = await maker.SendAsync(HttpMethod.Post, $"operator/billers/{code}/settlement-account/approve");
        var beforeApproval = await maker.GetAsync($"operator/billers/{code}");
        var approved = await checker.SendAsync(HttpMethod.Post, $"operator/billers/{code}/settlement-account/approve");
        var nothingWaiting = await checker.SendAsync(HttpMethod.Post, $"operator/billers/{code}/settlement-account/reject");

        Assert.Equal((HttpStatusCode.BadRequest, "30"), (badIban.Status, badIban.Code));
        Assert.Contains("mod 97", badIban["detail"]);
        Assert.Equal(HttpStatusCode.Accepted, requested.Status);
        Assert.Equal(Iban, requested.Json["pendingSettlementAccount"]!["iban"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (bySelf.Status, bySelf.Code));
        Assert.Null(beforeApproval.Json["settlementAccount"]);
        Assert.Equal(HttpStatusCode.OK, approved.Status);
        Assert.Equal((Iban, "100001"), (approved.Json["settlementAccount"]!["iban"]!.GetValue<string>(), approved.Json["settlementAccount"]!["bank"]!.GetValue<string>()));
        Assert.Null(approved.Json["pendingSettlementAccount"]);
        Assert.Equal(HttpStatusCode.NotFound, nothingWaiting.Status);
        Assert.Equal(("operator", "Test holder"), await AuditAsync("biller.settlement.approve", code));
    }

    [Fact]
    public async Task A_billers_key_reads_its_own_bills_only_and_banks_reach_no_biller_or_operator_route()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        var (mine, theirs) = (NewCode(), NewCode());
        await CreateAsync(operatorClient, Draft(mine));
        await CreateAsync(operatorClient, Draft(theirs));
        var (myAccount, _) = await TestData.OpenBill(Postgres, mine);
        var (theirAccount, _) = await TestData.OpenBill(Postgres, theirs);
        using var biller = new RestClient(host.HttpPort, await BillerKeyAsync(mine));
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);

        var own = await biller.GetAsync($"biller/bills/{mine}-T{myAccount}");
        var other = await biller.GetAsync($"biller/bills/{theirs}-T{theirAccount}");
        var profile = await biller.GetAsync("biller/profile");
        var registry = await biller.GetAsync("operator/billers");
        var payment = await biller.PayAsync(RestClient.NewKey(), RestClient.PaymentBody(myAccount, "247.57", mine));
        var bankOnBiller = await bank.GetAsync("biller/profile");
        var bankOnRegistry = await bank.SendAsync(HttpMethod.Post, "operator/billers", Draft(NewCode()).ToJsonString());

        Assert.Equal((HttpStatusCode.OK, myAccount, "open"), (own.Status, own["accountNumber"], own["status"]));
        Assert.Equal((HttpStatusCode.NotFound, "14"), (other.Status, other.Code));
        Assert.DoesNotContain(theirAccount, other.Text);
        Assert.Equal(mine, profile.Json["definition"]!["code"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (registry.Status, registry.Code));
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (payment.Status, payment.Code));
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (bankOnBiller.Status, bankOnBiller.Code));
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (bankOnRegistry.Status, bankOnRegistry.Code));
    }

    [Fact]
    public async Task In_a_maintenance_window_payments_get_91_and_inquiries_say_until_when()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var code = NewCode();
        var until = DateTimeOffset.UtcNow.AddHours(1);
        var draft = Draft(code);
        draft["maintenance"] = new JsonArray(new JsonObject { ["from"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"), ["until"] = until.ToString("O"), ["reason"] = "closing" });
        await CreateAsync(operatorClient, draft);
        var (account, _) = await TestData.OpenBill(Postgres, code);

        var inquiry = await bank.GetAsync($"billers/{code}/accounts/{account}/bill?channel=IB");
        var payment = await bank.PayAsync(RestClient.NewKey(), RestClient.PaymentBody(account, "247.57", code));
        await operatorClient.SendAsync(HttpMethod.Put, $"operator/billers/{code}", Draft(code).ToJsonString());
        var afterWindow = await bank.PayAsync(RestClient.NewKey(), RestClient.PaymentBody(account, "247.57", code));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "91"), (inquiry.Status, inquiry.Code));
        Assert.Contains($"maintenance until {until.UtcDateTime:yyyy-MM-ddTHH:mm:ss}", inquiry["detail"]);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "91"), (payment.Status, payment.Code));
        Assert.Equal((HttpStatusCode.Created, "00"), (afterWindow.Status, afterWindow.Code));
    }

    [Fact]
    public async Task The_catalog_finds_billers_and_services_in_arabic_and_english_page_by_page()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var code = NewCode();
        await CreateAsync(operatorClient, Draft(code).Also(d => d["services"] = new JsonArray(
            new JsonObject { ["code"] = "BILL", ["nameEn"] = "Water bill", ["nameAr"] = "فاتورة المياه" },
            new JsonObject { ["code"] = "METER", ["nameEn"] = "Meter fee", ["nameAr"] = "رسوم العداد" })));

        var arabic = await bank.GetAsync($"catalog/services?q={Uri.EscapeDataString($"فاتوره {code}")}");
        var english = await bank.GetAsync($"catalog/services?q={Uri.EscapeDataString($"METER {code.ToLowerInvariant()}")}");
        var firstPage = await bank.GetAsync($"catalog/services?biller={code}&pageSize=1");
        var secondPage = await bank.GetAsync($"catalog/services?biller={code}&pageSize=1&page=2");
        var billers = await bank.GetAsync($"catalog/billers?category=water&q={Uri.EscapeDataString($"المياه {code}")}");
        var categories = await bank.GetAsync("catalog/categories");
        var badPage = await bank.GetAsync("catalog/services?pageSize=1000");

        Assert.Equal("BILL", arabic.Json["items"]!.AsArray().Single()!["serviceCode"]!.GetValue<string>());
        Assert.Equal("METER", english.Json["items"]!.AsArray().Single()!["serviceCode"]!.GetValue<string>());
        Assert.Equal((2, 2), (firstPage.Json["total"]!.GetValue<int>(), secondPage.Json["page"]!.GetValue<int>()));
        Assert.NotEqual(firstPage.Json["items"]![0]!["serviceCode"]!.GetValue<string>(), secondPage.Json["items"]![0]!["serviceCode"]!.GetValue<string>());
        Assert.True(billers.Json["items"]!.AsArray().Single()!["enrolled"]!.GetValue<bool>());
        Assert.Contains(categories.Json.AsArray(), c => c!["code"]!.GetValue<string>() == "water" && c["billers"]!.GetValue<int>() >= 1);
        Assert.Equal((HttpStatusCode.BadRequest, "30"), (badPage.Status, badPage.Code));
    }

    private Task<string> BillerKeyAsync(string biller) => BillerKeyAsync(Postgres, biller);

    /// <summary>A new API key of <paramref name="biller"/> (role biller), stored hashed as the switch keeps keys.</summary>
    public static async Task<string> BillerKeyAsync(NpgsqlDataSource postgres, string biller)
    {
        var key = $"test-biller-{Guid.NewGuid():N}";
        await using var command = postgres.CreateCommand("insert into api_keys (key_hash, role, biller_code, holder) values ($1, 'biller', $2, 'Test biller')");
        command.Parameters.AddWithValue(RestBanks.Hash(key));
        command.Parameters.AddWithValue(biller);
        await command.ExecuteNonQueryAsync();
        return key;
    }

    private async Task<(string Role, string Actor)> AuditAsync(string action, string code)
    {
        await using var command = Postgres.CreateCommand("select role, actor from audit_log where action = $1 and subject = $2 order by id desc limit 1");
        command.Parameters.AddWithValue(action);
        command.Parameters.AddWithValue($"biller:{code}");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no {action} audited for {code}");
        return (reader.GetString(0), reader.GetString(1));
    }
}

internal static class JsonObjectChanges
{
    public static JsonObject Also(this JsonObject json, Action<JsonObject> change)
    {
        change(json);
        return json;
    }
}
