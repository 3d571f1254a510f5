using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Switch.Billers.Notifications;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Rest;

namespace Switch.Host.Tests.Notifications;

/// <summary>The operator's adapter and notification routes, and the billers' signed replay request, over real HTTP.</summary>
[Collection(RestCollection.Name)]
public class NotificationsApiTests(HostFixture host) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}/api/v1/") };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Adapter_key_is_shown_when_made_and_never_again_and_the_change_is_audited()
    {
        var biller = await NewBillerAsync();

        var first = await SendAsync(HttpMethod.Put, $"operator/billers/{biller}/adapter", """{"endpoint":"http://127.0.0.1:9/b","batchSize":50}""", RestBanks.OperatorKey);
        var second = await SendAsync(HttpMethod.Put, $"operator/billers/{biller}/adapter", """{"endpoint":"http://127.0.0.1:9/b"}""", RestBanks.OperatorKey);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.Status, second.Status));
        Assert.Equal(BillerSignature.KeyLength, Convert.FromBase64String(first.Json["signingKey"]!.GetValue<string>()).Length);
        Assert.Null(second.Json["signingKey"]);
        Assert.Equal(50, first.Json["batchSize"]!.GetValue<int>());
        Assert.Equal(2L, await host.Service<NpgsqlDataSource>().Scalar<long>(
            "select count(*) from audit_log where action = 'biller.adapter.set' and subject = $1 and not after::text like '%signingKey\"%'", $"biller:{biller}"));
    }

    [Theory]
    [InlineData("""{"endpoint":"ftp://x/y"}""")]
    [InlineData("""{"endpoint":"http://x/y?a=1"}""")]
    [InlineData("""{"endpoint":"http://x/y","maxInFlight":65}""")]
    [InlineData("""{"endpoint":"http://x/y","postingMode":"eventually"}""")]
    [InlineData("""{"batchSize":10}""")]
    public async Task Adapter_out_of_its_limits_is_400_30_and_changes_nothing(string body)
    {
        var biller = await NewBillerAsync();

        var answer = await SendAsync(HttpMethod.Put, $"operator/billers/{biller}/adapter", body, RestBanks.OperatorKey);

        Assert.Equal((HttpStatusCode.BadRequest, "30"), (answer.Status, answer.Json["responseCode"]?.GetValue<string>()));
        Assert.Equal(0L, await host.Service<NpgsqlDataSource>().Scalar<long>("select count(*) from biller_adapters where biller_code = $1", biller));
    }

    [Fact]
    public async Task Adapter_routes_need_an_operator_key()
    {
        var biller = await NewBillerAsync();

        var answer = await SendAsync(HttpMethod.Put, $"operator/billers/{biller}/adapter", """{"endpoint":"http://x/y"}""", RestBanks.PlainKey);

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
    }

    [Fact]
    public async Task Biller_replay_signed_with_its_key_is_answered_signed_and_an_unsigned_one_is_401_63()
    {
        var biller = await NewBillerAsync();
        var set = await SendAsync(HttpMethod.Put, $"operator/billers/{biller}/adapter", """{"endpoint":"http://127.0.0.1:9/b"}""", RestBanks.OperatorKey);
        var key = Convert.FromBase64String(set.Json["signingKey"]!.GetValue<string>());
        var path = $"/api/v1/biller-notifications/{biller}/replay";
        var body = """{"fromSequence":1}"""u8.ToArray();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = BillerSignature.SignRequest(key, "POST", path, timestamp, body);

        using var signed = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        signed.Headers.Add(BillerSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        signed.Headers.Add(BillerSignature.SignatureHeader, signature);
        using var answer = await _http.SendAsync(signed);
        var answerBody = await answer.Content.ReadAsByteArrayAsync();
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        using var refused = await _http.SendAsync(unsigned);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(0, JsonNode.Parse(answerBody)!["replayed"]!.GetValue<int>());
        var answeredAt = long.Parse(answer.Headers.GetValues(BillerSignature.AnswerTimestampHeader).Single(), CultureInfo.InvariantCulture);
        Assert.True(BillerSignature.Matches(key, BillerSignature.AnswerCanonical(200, signature, answeredAt, answerBody),
            answer.Headers.GetValues(BillerSignature.AnswerSignatureHeader).Single()));
        Assert.Equal((HttpStatusCode.Unauthorized, "63"), (refused.StatusCode, JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["responseCode"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Counts_and_parked_list_answer_the_operator()
    {
        var counts = await SendAsync(HttpMethod.Get, "operator/notifications", null, RestBanks.OperatorKey);
        var parked = await SendAsync(HttpMethod.Get, "operator/notifications/parked?limit=10", null, RestBanks.OperatorKey);
        var badLimit = await SendAsync(HttpMethod.Get, "operator/notifications/parked?limit=0", null, RestBanks.OperatorKey);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest), (counts.Status, parked.Status, badLimit.Status));
        Assert.NotNull(counts.Json["billers"]);
    }

    private async Task<string> NewBillerAsync()
    {
        var biller = "NA" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        await using var command = host.Service<NpgsqlDataSource>().CreateCommand("""
            insert into billers (code, name_en, name_ar, category, currency, presentment, payment_rule, transaction_limit, account_pattern, channels)
            values ($1, 'Notified', 'مفوتر', 'telecom', 682, 'prepaid', 'any', 1000000, '^[0-9]{10}$', '{IB}')
            """);
        command.Parameters.AddWithValue(biller);
        await command.ExecuteNonQueryAsync();
        return biller;
    }

    private async Task<(HttpStatusCode Status, JsonNode Json)> SendAsync(HttpMethod method, string path, string? body, string key)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text)!);
    }
}
