using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Rest.RestClient;

namespace Switch.Host.Tests.Rest;

/// <summary>
/// What reaches the REST edge from a buggy or hostile client: control characters and oversized fields are refused
/// before anything is journaled, and every error, whatever route or method, is problem+json with a response code.
/// </summary>
[Collection(RestCollection.Name)]
public class RestEdgeTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    private string Base => $"http://127.0.0.1:{host.HttpPort}";

    [Fact]
    public async Task Nul_in_the_biller_code_is_400_30_not_journaled_and_a_payment_beside_it_is_approved()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var poisoned = NewKey();

        var nul = bank.PayAsync(poisoned, PaymentBody(account, "247.57", biller: "ELE\0CT"));
        var good = bank.PayAsync(NewKey(), PaymentBody(account, "247.57"));

        Assert.Equal((HttpStatusCode.BadRequest, "30"), ((await nul).Status, (await nul).Code));
        Assert.Equal("billerCode must be 1 to 12 characters of A-Z 0-9", (await nul)["detail"]);
        Assert.Equal(HttpStatusCode.Created, (await good).Status);
        Assert.Equal(0L, await Postgres.Scalar<long>("select count(*) from payments where bank_code = '100001' and reference = $1", poisoned));
    }

    [Theory]
    [InlineData("accountNumber", "0000\u00000005")]
    [InlineData("channel", "I\u0085")]
    [InlineData("amount", "1\u00000.00")]
    [InlineData("currency", "SA\u0000")]
    [InlineData("billNumber", "ELECT-\u001b[31m")]
    [InlineData("payerAccount", "SA03\u0000")]
    public async Task Control_character_in_any_body_field_is_400_30_and_not_journaled(string field, string value)
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 1_000);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var key = NewKey();
        var body = PaymentBody(account, "10.00");
        body[field] = value;

        var answer = await bank.PayAsync(key, body);

        Assert.Equal((HttpStatusCode.BadRequest, "30"), (answer.Status, answer.Code));
        Assert.StartsWith(field, answer["detail"]);
        Assert.Equal(0L, await Postgres.Scalar<long>("select count(*) from payments where bank_code = '100001' and reference = $1", key));
    }

    [Fact]
    public async Task Account_number_of_60000_characters_is_400_30_and_not_journaled()
    {
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var key = NewKey();

        var answer = await bank.PayAsync(key, PaymentBody(new string('7', 60_000), "10.00", biller: "TOPUP"));

        Assert.Equal((HttpStatusCode.BadRequest, "30"), (answer.Status, answer.Code));
        Assert.DoesNotContain("7777", answer.Text);
        Assert.Equal(0L, await Postgres.Scalar<long>("select count(*) from payments where bank_code = '100001' and reference = $1", key));
    }

    [Theory]
    [InlineData("billers/ELE%01CT")]
    [InlineData("billers/ELECT/accounts/0000%7F000005/bill?channel=IB")]
    [InlineData("billers/ELECT/accounts/0000000005/bill?channel=IB&billNumber=%C2%85")]
    [InlineData("billers/ELECT/accounts/0000000005/bill?channel=IB&channel=MB")]
    [InlineData("billers/ELECT/accounts/0000000005/bill?channel=IB&x%00=1")]
    [InlineData("payments/SW%0112")]
    [InlineData("payments?idempotencyKey=a%0Ab")]
    public async Task Control_character_or_repeat_in_a_route_or_query_parameter_is_400_30(string path)
    {
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);

        var answer = await bank.GetAsync(path);

        Assert.Equal((HttpStatusCode.BadRequest, "30", "application/problem+json"), (answer.Status, answer.Code, answer.ContentType));
    }

    [Fact]
    public async Task Idempotency_key_with_a_control_character_is_400_30()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Base}/api/v1/payments")
        {
            Content = new StringContent(PaymentBody("0000000005", "10.00").ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", RestBanks.PlainKey);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "abc\u0001def");

        using var response = await http.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("30", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["responseCode"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("GET", "/api/v1/no-such-route", HttpStatusCode.NotFound, "12")]
    [InlineData("GET", "/nothing", HttpStatusCode.NotFound, "12")]
    [InlineData("DELETE", "/api/v1/payments", HttpStatusCode.MethodNotAllowed, "12")]
    [InlineData("PUT", "/api/v1/billers", HttpStatusCode.MethodNotAllowed, "12")]
    [InlineData("OPTIONS", "/api/v1/billers", HttpStatusCode.MethodNotAllowed, "12")]
    [InlineData("GET", "/api/v1/billers/%ZZ/accounts", HttpStatusCode.NotFound, "12")]
    public async Task Unknown_route_or_method_is_problem_json_with_a_response_code(string method, string path, HttpStatusCode status, string code)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{Base}{path}");
        request.Headers.Authorization = new("Bearer", RestBanks.PlainKey);

        using var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, body["responseCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Head_is_405_with_problem_headers()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"{Base}/api/v1/billers");
        request.Headers.Authorization = new("Bearer", RestBanks.PlainKey);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Url_over_the_limit_is_414_problem_json()
    {
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);

        var answer = await bank.GetAsync($"billers/ELECT/accounts/0000000005/bill?channel=IB&pad={new string('a', 10_000)}");

        Assert.Equal((HttpStatusCode.RequestUriTooLong, "30", "application/problem+json"), (answer.Status, answer.Code, answer.ContentType));
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n", 400, "30")]
    [InlineData("GET /api/v1/billers HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n", 400, "30")]
    [InlineData("GET /api/v1/bills/%ZZ%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "30")]
    [InlineData("GET api HTTP/1.1\r\nHost: x\r\n\r\n", 405, "12")]
    [InlineData("GET /api/v1/billers HTTP/1.1\r\nHost: x\r\nX-Pad: {pad}\r\n\r\n", 431, "30")]
    public async Task Requests_kestrel_refuses_before_the_api_get_problem_json_too(string request, int status, string code)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, host.HttpPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Replace("{pad}", new string('a', 40_000), StringComparison.Ordinal)));

        // Kestrel closes the connection after such an answer: read to the end.
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer).WaitAsync(TimeSpan.FromSeconds(10));
        var text = Encoding.ASCII.GetString(answer.ToArray());
        var (head, body) = (text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)], text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);

        Assert.StartsWith($"HTTP/1.1 {status} ", head, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/problem+json\r\n", head, StringComparison.Ordinal);
        Assert.Contains($"\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", head, StringComparison.Ordinal);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal((code, status), (problem["responseCode"]!.GetValue<string>(), problem["status"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task Body_that_is_not_declared_json_is_415_30(string contentType)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Base}/api/v1/payments")
        {
            Content = new StringContent(PaymentBody("0000000005", "10.00").ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Authorization = new("Bearer", RestBanks.PlainKey);
        request.Headers.Add("Idempotency-Key", NewKey());

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("30", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["responseCode"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"billerCode": 5, "accountNumber": "0000000005", "channel": "IB", "amount": "1.00", "currency": "SAR"}""")]
    [InlineData("""{"billerCode": "ELECT", "billerCode": "ELECT"}""")]
    [InlineData("""{"billerCode": "<script>""")]
    public async Task Json_errors_name_no_dotnet_type_and_echo_no_input(string body)
    {
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);

        var answer = await bank.PayAsync(NewKey(), body);

        Assert.Equal((HttpStatusCode.BadRequest, "30"), (answer.Status, answer.Code));
        Assert.DoesNotContain("System.", answer.Text);
        Assert.DoesNotContain("String", answer.Text);
        Assert.DoesNotContain("script", answer.Text);
        Assert.DoesNotContain("LineNumber", answer.Text);
    }

    [Fact]
    public async Task OpenApi_server_url_is_the_configured_one_whatever_the_host_header()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Base}/openapi/v1.json");
        request.Headers.Host = "evil.example";

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var servers = JsonNode.Parse(text)!["servers"]!.AsArray();

        Assert.DoesNotContain("evil.example", text);
        Assert.Equal(Base, Assert.Single(servers)!["url"]!.GetValue<string>());
    }
}
