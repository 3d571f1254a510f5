using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Rest;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Secrets;

/// <summary>POST /api/v1/receipts/verify: a receipt code only the switch can make, checked by anyone with an API key.</summary>
[Collection(RestCollection.Name)]
public class ReceiptVerificationTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task A_real_receipt_verifies_with_its_amount_biller_and_date_and_a_forged_code_does_not()
    {
        var (account, _) = await TestData.OpenBill(Postgres);
        using var payer = new RestClient(host.HttpPort, "demo-key-100001");
        var payment = await payer.PayAsync(RestClient.NewKey(), RestClient.PaymentBody(account, "247.57"));
        Assert.Equal(HttpStatusCode.Created, payment.Status);
        var reference = payment["paymentId"]!;
        var code = payment["receiptCode"]!;
        Assert.Matches("^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{12}$", code);

        // Verified by another bank, as a biller or a merchant would: any authenticated caller may.
        var (status, real) = await VerifyAsync("demo-key-100002", reference, code);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(real["valid"]!.GetValue<bool>());
        Assert.Equal(("approved", "247.57", "SAR", "ELECT"), (S(real, "status"), S(real, "amount"), S(real, "currency"), S(real, "billerCode")));
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), S(real, "date"));
        Assert.DoesNotContain(account, real.ToJsonString());

        var forged = (code[^1] == '2' ? code[..^1] + "3" : code[..^1] + "2");
        var (forgedStatus, refused) = await VerifyAsync("demo-key-100002", reference, forged);
        Assert.Equal(HttpStatusCode.OK, forgedStatus);
        Assert.False(refused["valid"]!.GetValue<bool>());
        Assert.Null(refused["amount"]);

        var unkeyed = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(reference)))[..8];
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync("demo-key-100002", reference, unkeyed)).Status);
    }

    [Fact]
    public async Task The_receipt_code_of_an_iso_payment_verifies_and_shows_a_reversal()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        await using var bank = await host.SignedOnAsync(PlainBank);
        var request = Payment(PlainBank, account, amount);
        var approval = await bank.SendAsync(request, TimeSpan.FromSeconds(10));
        Assert.Equal("00", approval.GetString(39));
        var field48 = approval.GetString(48)!;
        var reference = Tag(field48, "SR");
        var code = Tag(field48, "RV");
        Assert.Equal("00", (await bank.SendAsync(Reversal(request), TimeSpan.FromSeconds(10))).GetString(39));

        var (_, body) = await VerifyAsync("demo-key-100002", reference, code);

        Assert.True(body["valid"]!.GetValue<bool>());
        Assert.Equal("reversed", S(body, "status"));
    }

    [Fact]
    public async Task Verifying_needs_an_api_key_and_well_formed_input()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await VerifyAsync(null, "SW0000000000000001", "23456789ABCD")).Status);
        var (status, problem) = await VerifyAsync("demo-key-100001", "SW0000000000000001", "2345678\u0000ABCD");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("30", S(problem, "responseCode"));
        var (unknownStatus, unknown) = await VerifyAsync("demo-key-100001", "SW0000000000000001", "23456789ABCD");
        Assert.Equal(HttpStatusCode.OK, unknownStatus);
        Assert.False(unknown["valid"]!.GetValue<bool>());
    }

    private static string? S(JsonNode node, string property) => node[property]?.GetValue<string>();

    /// <summary>A field 48 tag's value: two-letter tag, three-digit length, value.</summary>
    private static string Tag(string field48, string tag)
    {
        for (var i = 0; i + 5 <= field48.Length;)
        {
            var length = int.Parse(field48.AsSpan(i + 2, 3), System.Globalization.CultureInfo.InvariantCulture);
            if (field48.AsSpan(i, 2).SequenceEqual(tag))
            {
                return field48.Substring(i + 5, length);
            }

            i += 5 + length;
        }

        throw new InvalidOperationException($"field 48 has no {tag}: {field48}");
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> VerifyAsync(string? apiKey, string reference, string code)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}/api/v1/") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "receipts/verify")
        {
            Content = new StringContent(new JsonObject { ["reference"] = reference, ["receiptCode"] = code }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
