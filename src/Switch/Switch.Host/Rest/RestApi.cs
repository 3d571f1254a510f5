using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.OpenApi;
using Switch.Adapters.Redis;
using Switch.Diagnostics;
using Switch.Participants;

namespace Switch.Host.Rest;

/// <summary>The REST API for banks (docs/rest-api.md) under /api/v1, and its OpenAPI document at /openapi/v1.json.</summary>
public static class RestApi
{
    public static void AddRestApi(this WebApplicationBuilder builder, SwitchOptions options)
    {
        builder.Services.AddSingleton(_ => new RedisRateCounter(options.Redis.ConnectionString, options.Redis.Timeout));
        builder.Services.AddSingleton<BankRateLimiter>();
        builder.Services.AddSingleton<Adapters.Postgres.PostgresReceiptLookup>();
        builder.Services.AddSingleton<Adapters.Postgres.PostgresBillerRegistry>();
        builder.Services.AddSingleton<Adapters.Postgres.PostgresBillerBills>();
        builder.Services.AddSingleton<Adapters.Postgres.PostgresReconciliation>();
        builder.Services.AddSingleton<Adapters.Postgres.PostgresBillUploads>();
        builder.Services.AddSingleton<UploadGate>();
        builder.Services.AddSingleton<CatalogSearch>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BankRateLimiter>());
        // Kestrel answers a request line over its limit itself, with an empty 414; below this one the switch answers (see RejectLongTargets).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestLineSize = 64 * 1024);
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Switch REST API for member banks";
            // The configured address, never one made from the request's Host header, which any caller chooses.
            document.Servers = [new OpenApiServer { Url = options.HttpUrl }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bankApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key: Authorization: Bearer <key>; a bank's for the bank routes, an operator's for /api/v1/operator (403 for a key of another role)",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bankApiKey", document)] = [] }];
            return Task.CompletedTask;
        }));
    }

    /// <summary>The longest request target (path and query) the switch reads; an inquiry needs a few hundred bytes.</summary>
    public const int MaxTargetLength = 4096;

    public static void MapRestApi(this WebApplication app)
    {
        // An unexpected failure is still an answer in the contract's shape: 500 with 96, never a bare stack trace.
        // Logged here, not by the middleware: with PostgreSQL gone every request fails alike, and a stack trace each would
        // flood the log (RepeatedFailures).
        var failures = app.Services.GetRequiredService<RepeatedFailures>();
        var failureLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RestApi));
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            SuppressDiagnosticsCallback = _ => true,
            ExceptionHandler = http =>
            {
                var failed = http.Features.Get<IExceptionHandlerFeature>();
                if (failed?.Error is { } error && failures.Next(error) is (true, var notLogged))
                {
                    // The route's pattern, not the path: a path can carry an account number.
                    failureLog.LogError(error, "{Method} {Route} failed: answered 96 ({NotLogged} failures like it since the last logged)",
                        http.Request.Method, (failed.Endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)", notLogged);
                }

                return Problems.For(ResponseCodes.SystemMalfunction, null, http).ExecuteAsync(http);
            },
        });
        app.Use(RejectLongTargets);
        // Whatever ASP.NET Core answers without a body (no route: 404, wrong method: 405, a bad request Kestrel let
        // through) gets one in the contract's shape.
        app.UseStatusCodePages(context => Problems.ForStatus(context.HttpContext).ExecuteAsync(context.HttpContext));
        app.MapOpenApi();

        var api = app.MapGroup("/api/v1");
        api.AddEndpointFilter(ApiFilters.AnswerInTime);
        api.AddEndpointFilter(ApiFilters.Authenticate(PrincipalRole.Bank));
        api.AddEndpointFilter(ApiFilters.LimitRate);
        api.AddEndpointFilter(ApiFilters.CheckInput);
        api.ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapBillersApi().MapBillsApi().MapPaymentsApi().MapReceiptsApi().MapCatalogApi();

        var operators = app.MapGroup("/api/v1/operator").WithTags("Operator");
        operators.AddEndpointFilter(ApiFilters.AnswerInTime);
        operators.AddEndpointFilter(ApiFilters.Authenticate(PrincipalRole.Operator));
        operators.AddEndpointFilter(ApiFilters.CheckInput);
        operators.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        operators.MapGet("/status", HealthEndpoint.Status).WithName("OperatorStatus");
        operators.MapBillerRegistryApi().MapNotificationsApi().MapBillerAdaptersApi();
        app.MapBillerReplay();

        var billers = app.MapGroup("/api/v1/biller").WithTags("Biller");
        billers.AddEndpointFilter(ApiFilters.AnswerInTime);
        billers.AddEndpointFilter(ApiFilters.Authenticate(PrincipalRole.Biller));
        billers.AddEndpointFilter(ApiFilters.CheckInput);
        billers.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        billers.MapBillerPortalApi();

        var uploads = app.MapGroup("/api/v1/biller/bill-uploads").WithTags("Biller");
        uploads.AddEndpointFilter(ApiFilters.Authenticate(PrincipalRole.Biller));
        uploads.AddEndpointFilter(ApiFilters.CheckInput);
        uploads.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        uploads.MapBillUploadsApi();

        var centralBank = app.MapGroup("/api/v1/settlement");
        centralBank.AddEndpointFilter(ApiFilters.AnswerInTime);
        centralBank.AddEndpointFilter(ApiFilters.Authenticate(PrincipalRole.CentralBank));
        centralBank.AddEndpointFilter(ApiFilters.CheckInput);
        centralBank.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        centralBank.MapSettlementApi();
    }

    private static Task RejectLongTargets(HttpContext http, RequestDelegate next) =>
        http.Features.Get<IHttpRequestFeature>()?.RawTarget.Length > MaxTargetLength
            ? Problems.WithStatus(ResponseCodes.FormatError, StatusCodes.Status414UriTooLong, $"the URL is over {MaxTargetLength} characters", http).ExecuteAsync(http)
            : next(http);
}
