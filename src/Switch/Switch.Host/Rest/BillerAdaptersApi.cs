using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Adapters.Postgres;
using Switch.Billers.Notifications;

namespace Switch.Host.Rest;

/// <summary>
/// PUT /api/v1/operator/billers/{billerCode}/adapter: how the switch reaches a biller's system (docs/biller-api.md).
/// The signing key is made by the switch and shown once, in this answer, when it is new (the first time, or with
/// rotateKey); it is stored sealed under the KEK and never shown again.
/// </summary>
public static class BillerAdaptersApi
{
    public static RouteGroupBuilder MapBillerAdaptersApi(this RouteGroupBuilder operators)
    {
        operators.MapPut("/billers/{billerCode}/adapter", SetAsync).WithTags("Notifications").WithName("SetBillerAdapter")
            .DocumentsJsonBody<AdapterRequest>().ProducesProblem(StatusCodes.Status404NotFound);
        return operators;
    }

    private static async Task<Results<Ok<AdapterBody>, ProblemHttpResult>> SetAsync(
        string billerCode, HttpContext http, PostgresBillerNotifications store, Billing.IBillerCatalog catalog)
    {
        var (body, problem) = await RestJson.ReadAsync<AdapterRequest>(http.Request, Problem);
        if (problem is not null)
        {
            return problem;
        }

        if (await catalog.FindAsync(billerCode, http.Deadline()) is null)
        {
            return Problems.For(ResponseCodes.UnknownBiller, "there is no such biller", http);
        }

        var existing = await store.AdapterAsync(billerCode, http.Deadline());
        var newKey = existing?.SigningKey is null || body!.RotateKey == true ? RandomNumberGenerator.GetBytes(BillerSignature.KeyLength) : null;
        var settings = new BillerAdapterSettings(billerCode, new Uri(body!.Endpoint!), newKey ?? existing!.SigningKey, body.PostingMode ?? "asynchronous",
            body.RatePerSecond ?? 100, body.MaxInFlight ?? 4, body.BatchSize ?? 1, TimeSpan.FromMilliseconds(body.TimeoutMs ?? 3500), body.Notify ?? true);
        await store.SetAdapterAsync(settings, AuditActor.Of(http.Caller()), http.Deadline());
        return TypedResults.Ok(new AdapterBody(billerCode, settings.Endpoint.ToString(), settings.PostingMode, settings.RatePerSecond, settings.MaxInFlight,
            settings.BatchSize, (int)settings.Timeout.TotalMilliseconds, settings.Notify, newKey is null ? null : Convert.ToBase64String(newKey)));
    }

    /// <summary>The limits the table's checks hold (migration 0019), said before PostgreSQL would refuse.</summary>
    public static string? Problem(AdapterRequest r) =>
        r.Endpoint is not { Length: > 0 and <= 500 } || !Uri.TryCreate(r.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || r.Endpoint.Any(char.IsWhiteSpace) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment)
            ? "endpoint must be an absolute http or https URL of at most 500 characters, without query or fragment"
        : r.PostingMode is not (null or "asynchronous" or "synchronous") ? "postingMode must be asynchronous or synchronous"
        : r.RatePerSecond is < 1 or > 100_000 ? "ratePerSecond must be 1 to 100000"
        : r.MaxInFlight is < 1 or > 64 ? "maxInFlight must be 1 to 64"
        : r.BatchSize is < 1 or > 1000 ? "batchSize must be 1 to 1000"
        : r.TimeoutMs is < 100 or > 30_000 ? "timeoutMs must be 100 to 30000"
        : null;
}

public sealed record AdapterRequest(
    string? Endpoint, string? PostingMode, int? RatePerSecond, int? MaxInFlight, int? BatchSize, int? TimeoutMs, bool? Notify, bool? RotateKey);

/// <param name="SigningKey">Base64 of the new key, only when one was made by this request.</param>
public sealed record AdapterBody(
    string Biller, string Endpoint, string PostingMode, int RatePerSecond, int MaxInFlight, int BatchSize, int TimeoutMs, bool Notify, string? SigningKey);
