using Microsoft.AspNetCore.Http.HttpResults;

namespace Switch.Host.Rest;

/// <summary>
/// Refusals as application/problem+json (RFC 9457) carrying the scheme's response code, with the HTTP status the
/// REST contract (docs/rest-api.md) gives each code.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult For(string responseCode, string? detail, HttpContext http) =>
        Build(responseCode, StatusFor(responseCode), detail, new() { ["traceId"] = http.TraceIdentifier });

    /// <summary>
    /// A payment's refusal: it is the payment's answer, so a repeat of the request gets it byte for byte. It names the
    /// Idempotency-Key instead of a trace id, which would differ on every repeat.
    /// </summary>
    public static ProblemHttpResult ForPayment(string responseCode, string? detail, string idempotencyKey) =>
        Build(responseCode, StatusFor(responseCode), detail, new() { ["idempotencyKey"] = idempotencyKey });

    /// <summary>Over the bank's request rate: 429 rather than the 503 other 91s get, so the bank knows to slow down.</summary>
    public static ProblemHttpResult RateLimited(HttpContext http) =>
        Build(ResponseCodes.Unavailable, StatusCodes.Status429TooManyRequests, "the bank's request rate is exceeded; retry after a second",
            new() { ["traceId"] = http.TraceIdentifier });

    public static int StatusFor(string responseCode) => responseCode switch
    {
        ResponseCodes.FormatError => StatusCodes.Status400BadRequest,
        ResponseCodes.SecurityViolation => StatusCodes.Status401Unauthorized,
        ResponseCodes.NotPermitted => StatusCodes.Status403Forbidden,
        ResponseCodes.UnknownAccount or ResponseCodes.UnknownBiller or ResponseCodes.OriginalNotFound => StatusCodes.Status404NotFound,
        ResponseCodes.Duplicate => StatusCodes.Status409Conflict,
        ResponseCodes.Unavailable or ResponseCodes.BillerTooLate => StatusCodes.Status503ServiceUnavailable,
        ResponseCodes.SystemMalfunction => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    private static ProblemHttpResult Build(string responseCode, int status, string? detail, Dictionary<string, object?> extensions)
    {
        extensions["responseCode"] = responseCode;
        return TypedResults.Problem(detail, statusCode: status, title: ResponseCodes.Describe(responseCode),
            type: $"https://switch/problems/{responseCode}", extensions: extensions);
    }
}
