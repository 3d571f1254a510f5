using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Switch.Host.Tests.Rest;

/// <summary>A bank's HTTP client to the REST API, with its key; answers come back as status, headers and parsed JSON.</summary>
public sealed class RestClient(int httpPort, string? apiKey) : IDisposable
{
    private static int _keys;

    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/api/v1/"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>An Idempotency-Key not used before, in this run or an earlier one against the same database.</summary>
    public static string NewKey() => $"t-{Guid.NewGuid():N}-{Interlocked.Increment(ref _keys)}";

    public static JsonObject PaymentBody(string account, string amount, string biller = "ELECT", string channel = "IB", string currency = "SAR") =>
        new() { ["billerCode"] = biller, ["accountNumber"] = account, ["channel"] = channel, ["amount"] = amount, ["currency"] = currency };

    public Task<Answer> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<Answer> PayAsync(string? idempotencyKey, JsonObject body) => PayAsync(idempotencyKey, body.ToJsonString());

    public Task<Answer> PayAsync(string? idempotencyKey, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "payments") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return SendAsync(request);
    }

    public Task<Answer> ReverseAsync(string paymentId, string? body = null) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, $"payments/{paymentId}/reversal")
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        });

    public Task<Answer> PostAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Post, path));
    /// <summary>Any method with an optional JSON body (the operator's and billers' routes).</summary>
    public Task<Answer> SendAsync(HttpMethod method, string path, string? json = null) =>
        SendAsync(new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") });

    /// <summary>A body of any media type, e.g. a biller's bill file as text/csv.</summary>
    public Task<Answer> SendAsync(HttpMethod method, string path, string body, string mediaType) =>
        SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, mediaType) });

    public void Dispose() => _http.Dispose();

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, response.Headers, response.Content.Headers.ContentType?.MediaType, text);
    }

    public sealed record Answer(HttpStatusCode Status, HttpResponseHeaders Headers, string? ContentType, string Text)
    {
        public JsonNode Json => JsonNode.Parse(Text) ?? throw new InvalidOperationException("The answer has no JSON body.");

        public string? this[string property] => Json[property]?.GetValue<string>();

        /// <summary>The scheme's code: a problem's responseCode, or the body's responseCode on success.</summary>
        public string? Code => this["responseCode"];

        public bool Replayed => Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Single() == "true";

        public override string ToString() => $"{(int)Status} {Text}";
    }
}
