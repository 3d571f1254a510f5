using System.Security.Cryptography;
using System.Text;
using Switch.Participants;

namespace Switch.Host.Rest;

/// <summary>What every /api/v1 request goes through, outermost first: the answer deadline, the API key and its role, the bank's rate, the inputs' limits.</summary>
public static class ApiFilters
{
    /// <summary>
    /// Every request is answered within Switch:RequestTimeout: 503/91 when the work behind it is slower. The work is
    /// stopped at the deadline rather than left running, except a payment or reversal already in the core, which
    /// completes on its own (its repeat finds it) without touching the request any more.
    /// </summary>
    public static async ValueTask<object?> AnswerInTime(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var timeout = http.RequestServices.GetRequiredService<SwitchOptions>().RequestTimeout;
        http.SetReceivedAt(http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(timeout);
        http.SetDeadline(deadline.Token);
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && deadline.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested))
        {
            // The route pattern, not the path: paths carry account numbers, which never go into a log.
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiFilters)).LogWarning(
                "{Method} {Route} not finished within {Timeout}: answered 91", http.Request.Method, route, timeout);
            return Problems.For(ResponseCodes.Unavailable, "the switch could not answer in time; this is the request's final answer, a payment must be sent again under a new Idempotency-Key", http);
        }
    }

    /// <summary>
    /// Authorization: Bearer with the key of an active credential of <paramref name="role"/> (its SHA-256 in api_keys;
    /// for a bank's key, an active bank): 401/63 for no key, an unknown or revoked one or a suspended bank; 403/57 for
    /// a valid key of another role. A TLS client certificate bound to a principal would establish the same credential.
    /// </summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Authenticate(PrincipalRole role) =>
        async (context, next) =>
        {
            var http = context.HttpContext;
            var credential = ApiKey(http) is { } key && RestInput.Problem("key", key, RestInput.ApiKey) is null
                ? await http.RequestServices.GetRequiredService<IBankDirectory>().FindByApiKeyHashAsync(SHA256.HashData(Encoding.UTF8.GetBytes(key)), http.Deadline())
                : null;
            if (credential is null || credential is { Role: PrincipalRole.Bank, Bank: not { IsActive: true } })
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Problems.For(ResponseCodes.SecurityViolation, $"a valid API key of an active {Describe(role)} is required: Authorization: Bearer <key>", http);
            }

            if (credential.Role != role)
            {
                return Problems.For(ResponseCodes.NotPermitted, $"this route is for the {Describe(role)} role; the key is of another", http);
            }

            http.SetCaller(credential);
            return await next(context);
        };

    /// <summary>At most banks.api_rate_limit requests per second per bank: 429/91 with Retry-After beyond it.</summary>
    public static async ValueTask<object?> LimitRate(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.RequestServices.GetRequiredService<BankRateLimiter>().TryAcquire(http.CallingBank()))
        {
            http.Response.Headers.RetryAfter = "1";
            return Problems.RateLimited(http);
        }

        return await next(context);
    }

    /// <summary>
    /// Route and query parameters and the Idempotency-Key header within their <see cref="RestInput"/> limits: 400/30
    /// otherwise, before the handler runs. Body fields are checked by the handler that reads the body.
    /// </summary>
    public static async ValueTask<object?> CheckInput(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return InputProblem(http.Request) is { } problem ? Problems.For(ResponseCodes.FormatError, problem, http) : await next(context);
    }

    private static string? InputProblem(HttpRequest request)
    {
        foreach (var (name, value) in request.RouteValues)
        {
            if (RestInput.Problem(name, value as string, RestInput.ForParameter(name)) is { } problem)
            {
                return problem;
            }
        }

        foreach (var (name, values) in request.Query)
        {
            // Only the switch's own parameter names are named back: any other name is the caller's raw input.
            var label = RestInput.IsParameter(name) ? $"query parameter {name}" : "a query parameter";
            var problem = RestInput.Problem(label, name, RestInput.Unread) ?? (values.Count > 1 ? $"{label} must be given once" : null)
                ?? RestInput.Problem(label, values.ToString(), RestInput.ForParameter(name));
            if (problem is not null)
            {
                return problem;
            }
        }

        return request.Headers.TryGetValue("Idempotency-Key", out var key)
            ? key.Count > 1 ? "header Idempotency-Key must be given once" : RestInput.Problem("header Idempotency-Key", key.ToString(), RestInput.IdempotencyKey)
            : null;
    }

    private static string Describe(PrincipalRole role) => Switch.Adapters.Postgres.PostgresAuditTrail.RoleName(role).Replace('_', ' ');

    private static string? ApiKey(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && header.Length > Scheme.Length ? header[Scheme.Length..].Trim() : null;
    }
}
