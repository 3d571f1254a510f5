using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Adapters.Postgres;
using Switch.Billers.Notifications;

namespace Switch.Host.Rest;

/// <summary>
/// Biller notifications (docs/biller-api.md): the operator's view and queue under /api/v1/operator/notifications, and
/// the billers' own signed replay request at /api/v1/biller-notifications/{billerCode}/replay.
/// </summary>
public static class NotificationsApi
{
    private const int MaxListed = 1000;

    /// <summary>A biller asks for a replay at most once a second: each one resends everything from its sequence on.</summary>
    private static readonly ConcurrentDictionary<string, DateTimeOffset> LastReplay = new();

    public static RouteGroupBuilder MapNotificationsApi(this RouteGroupBuilder operators)
    {
        var notifications = operators.MapGroup("/notifications").WithTags("Notifications");
        notifications.MapGet("/", CountsAsync).WithName("NotificationCounts");
        notifications.MapGet("/parked", ParkedAsync).WithName("ParkedNotifications");
        notifications.MapPost("/{billerCode}/retry", RetryAsync).WithName("RetryParkedNotifications").DocumentsJsonBody<RetryRequest>(required: false);
        notifications.MapPost("/{billerCode}/replay", OperatorReplayAsync).WithName("ReplayNotifications").DocumentsJsonBody<ReplayRequest>();
        return operators;
    }

    /// <summary>The biller-facing replay: authenticated by the biller's signature (its adapter's key), not an API key.</summary>
    public static void MapBillerReplay(this WebApplication app) =>
        app.MapPost("/api/v1/biller-notifications/{billerCode}/replay", BillerReplayAsync).WithTags("Notifications").WithName("BillerReplay")
            .AddEndpointFilter(ApiFilters.CheckInput);

    private static async Task<Ok<CountsBody>> CountsAsync(string? biller, HttpContext http, PostgresBillerNotifications store) =>
        TypedResults.Ok(new CountsBody([.. (await store.CountsAsync(biller, http.Deadline()))
            .Select(c => new BillerCountsBody(c.Biller, c.Pending, c.Delivered, c.Parked, c.Rejected, c.LastSequence))]));

    private static async Task<Results<Ok<ParkedBody>, ProblemHttpResult>> ParkedAsync(string? biller, string? limit, HttpContext http, PostgresBillerNotifications store)
    {
        var count = MaxListed;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxListed))
        {
            return Problems.For(ResponseCodes.FormatError, $"limit must be a whole number from 1 to {MaxListed}", http);
        }

        var parked = await store.ParkedAsync(biller, count, http.Deadline());
        return TypedResults.Ok(new ParkedBody([.. parked.Select(p => new ParkedNotificationBody(
            p.Biller, p.Sequence, p.Kind.ToString().ToLowerInvariant(), p.SwitchReference, p.Amount.Format(), p.Amount.Currency.Alpha, p.CommittedAt,
            p.ParkedAt, p.LastError))]));
    }

    private static async Task<Results<Ok<ChangedBody>, ProblemHttpResult>> RetryAsync(string billerCode, HttpContext http, PostgresBillerNotifications store)
    {
        var (body, problem) = await RestJson.ReadAsync<RetryRequest>(http.Request, r => r.Sequence is < 1 ? "sequence must be 1 or more" : null, optional: true);
        if (problem is not null)
        {
            return problem;
        }

        var retried = await store.RetryParkedAsync(billerCode, body?.Sequence, AuditActor.Of(http.Caller()), http.Deadline());
        return TypedResults.Ok(new ChangedBody(billerCode, retried));
    }

    private static async Task<Results<Ok<ChangedBody>, ProblemHttpResult>> OperatorReplayAsync(string billerCode, HttpContext http, PostgresBillerNotifications store)
    {
        var (body, problem) = await RestJson.ReadAsync<ReplayRequest>(http.Request, r => r.FromSequence < 1 ? "fromSequence must be 1 or more" : null);
        return problem ?? (Results<Ok<ChangedBody>, ProblemHttpResult>)TypedResults.Ok(
            new ChangedBody(billerCode, await store.ReplayAsync(billerCode, body!.FromSequence, AuditActor.Of(http.Caller()), http.Deadline())));
    }

    /// <summary>
    /// 401 unless signed with the biller's key within the replay window (the same canonical string the switch signs its
    /// requests with); 429 when asked again within a second. The answer is signed like a biller's answers are.
    /// </summary>
    private static async Task<IResult> BillerReplayAsync(string billerCode, HttpContext http, PostgresBillerNotifications store, TimeProvider time)
    {
        using var buffer = new MemoryStream();
        var limit = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
        if (limit is { IsReadOnly: false })
        {
            limit.MaxRequestBodySize = 1024;
        }

        try
        {
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            return Problems.For(ResponseCodes.FormatError, "the body is over 1024 bytes", http);
        }

        var body = buffer.ToArray();
        var adapter = await store.AdapterAsync(billerCode, http.RequestAborted);
        var signature = http.Request.Headers[BillerSignature.SignatureHeader].ToString();
        if (adapter?.SigningKey is not { } key
            || !BillerSignature.InWindow(http.Request.Headers[BillerSignature.TimestampHeader], time.GetUtcNow(), out var timestamp)
            || !BillerSignature.Matches(key, BillerSignature.RequestCanonical("POST", http.Request.Path + http.Request.QueryString, timestamp, body), signature))
        {
            return Problems.For(ResponseCodes.SecurityViolation, "the request must be signed with the biller's key within the replay window (docs/biller-api.md)", http);
        }

        var now = time.GetUtcNow();
        if (LastReplay.TryGetValue(billerCode, out var last) && now - last < TimeSpan.FromSeconds(1))
        {
            http.Response.Headers.RetryAfter = "1";
            return Problems.RateLimited(http);
        }

        LastReplay[billerCode] = now;
        long from;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("fromSequence", out var value) || !value.TryGetInt64(out from) || from < 1)
            {
                return Problems.For(ResponseCodes.FormatError, "fromSequence must be a whole number, 1 or more", http);
            }
        }
        catch (JsonException)
        {
            return Problems.For(ResponseCodes.FormatError, "the body must be JSON: {\"fromSequence\": n}", http);
        }

        var replayed = await store.ReplayAsync(billerCode, from, null, http.RequestAborted);
        var answer = JsonSerializer.SerializeToUtf8Bytes(new { replayed });
        var answeredAt = now.ToUnixTimeSeconds();
        http.Response.Headers[BillerSignature.AnswerTimestampHeader] = answeredAt.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[BillerSignature.AnswerSignatureHeader] = BillerSignature.SignAnswer(key, 200, signature, answeredAt, answer);
        return Results.Bytes(answer, "application/json");
    }
}

public sealed record RetryRequest(long? Sequence);

public sealed record ReplayRequest(long FromSequence);

public sealed record ChangedBody(string Biller, int Notifications);

public sealed record CountsBody(BillerCountsBody[] Billers);

public sealed record BillerCountsBody(string Biller, long Pending, long Delivered, long Parked, long Rejected, long LastSequence);

public sealed record ParkedBody(ParkedNotificationBody[] Notifications);

public sealed record ParkedNotificationBody(
    string Biller, long Sequence, string Type, string SwitchReference, string Amount, string Currency, DateTimeOffset CommittedAt,
    DateTimeOffset ParkedAt, string? LastError);
