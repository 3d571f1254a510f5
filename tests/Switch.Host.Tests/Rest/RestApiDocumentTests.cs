using System.Net;
using System.Text.Json.Nodes;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>The OpenAPI document the host serves describes the contract of docs/rest-api.md.</summary>
[Collection(RestCollection.Name)]
public class RestApiDocumentTests(HostFixture host)
{
    [Fact]
    public async Task OpenApi_document_lists_every_endpoint_the_bearer_scheme_and_amounts_as_strings()
    {
        using var http = new HttpClient();

        using var response = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}/openapi/v1.json");
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Subset(paths, new HashSet<string>
        {
            "/api/v1/billers", "/api/v1/billers/{code}", "/api/v1/billers/{billerCode}/accounts/{accountNumber}/bill",
            "/api/v1/payments", "/api/v1/payments/{paymentId}", "/api/v1/payments/{paymentId}/reversal",
        });
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bankApiKey"]!["scheme"]!.GetValue<string>());
        var body = document["paths"]!["/api/v1/payments"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var amount = body["properties"]!["amount"]!["type"]!.ToJsonString();
        Assert.Contains("string", amount);
        Assert.DoesNotContain("number", amount);
        Assert.Equal(["accountNumber", "amount", "billerCode", "channel", "currency"], body["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order());
    }
}
