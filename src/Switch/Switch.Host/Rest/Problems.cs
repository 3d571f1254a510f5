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

    /// <summary>A request found wrong in several ways at once (400/30): the first few in the detail, every one in errors.</summary>
    public static ProblemHttpResult Invalid(IReadOnlyList<string> problems, HttpContext http) =>
        Build(ResponseCodes.FormatError, StatusCodes.Status400BadRequest, string.Join("; ", problems.Take(3)) + (problems.Count > 3 ? $"; and {problems.Count - 3} more" : ""),
            new() { ["traceId"] = http.TraceIdentifier, ["errors"] = problems });

    /// <summary>Over the bank's request rate: 429 rather than the 503 other 91s get, so the bank knows to slow down.</summary>
    public static ProblemHttpResult RateLimited(HttpContext http) =>
        Build(ResponseCodes.Unavailable, StatusCodes.Status429TooManyRequests, "the bank's request rate is exceeded; retry after a second",
            new() { ["traceId"] = http.TraceIdentifier });

    /// <summary>A problem whose HTTP status is not the one its code usually gets (415, 414, 405 and 404 for the request itself).</summary>
    public static ProblemHttpResult WithStatus(string responseCode, int status, string? detail, HttpContext http) =>
        Build(responseCode, status, detail, new() { ["traceId"] = http.TraceIdentifier });

    /// <summary>
    /// The problem for an error status that came without a body: 404 and 405 are 12 (no such transaction), a 5xx 96
    /// (or 91 for 503), anything else the client sent wrong 30.
    /// </summary>
    public static ProblemHttpResult ForStatus(HttpContext http)
    {
        var status = http.Response.StatusCode;
        var code = status switch
        {
            StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed => ResponseCodes.InvalidTransaction,
            StatusCodes.Status503ServiceUnavailable => ResponseCodes.Unavailable,
            >= 500 => ResponseCodes.SystemMalfunction,
            _ => ResponseCodes.FormatError,
        };
        var detail = status switch
        {
            StatusCodes.Status404NotFound => "there is no such resource; the API is under /api/v1 (docs/rest-api.md, /openapi/v1.json)",
            StatusCodes.Status405MethodNotAllowed => "this resource does not take this method",
            _ => null,
        };
        return WithStatus(code, status, detail, http);
    }

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
