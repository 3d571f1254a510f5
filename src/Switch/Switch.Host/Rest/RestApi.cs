using Microsoft.AspNetCore.Diagnostics;
using Microsoft.OpenApi;
using Switch.Adapters.Redis;

namespace Switch.Host.Rest;

/// <summary>The REST API for banks (docs/rest-api.md) under /api/v1, and its OpenAPI document at /openapi/v1.json.</summary>
public static class RestApi
{
    public static void AddRestApi(this WebApplicationBuilder builder, SwitchOptions options)
    {
        builder.Services.AddSingleton(_ => new RedisRateCounter(options.Redis.ConnectionString, options.Redis.Timeout));
        builder.Services.AddSingleton<BankRateLimiter>();
        builder.Services.AddSingleton<Adapters.Postgres.PostgresReceiptLookup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BankRateLimiter>());
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Switch REST API for member banks";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bankApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The bank's API key: Authorization: Bearer <key>",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bankApiKey", document)] = [] }];
            return Task.CompletedTask;
        }));
    }

    public static void MapRestApi(this WebApplication app)
    {
        // An unexpected failure is still an answer in the contract's shape: 500 with 96, never a bare stack trace.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = http => Problems.For(ResponseCodes.SystemMalfunction, null, http).ExecuteAsync(http),
        });
        app.MapOpenApi();

        var api = app.MapGroup("/api/v1");
        api.AddEndpointFilter(ApiFilters.AnswerInTime);
        api.AddEndpointFilter(ApiFilters.Authenticate);
        api.AddEndpointFilter(ApiFilters.LimitRate);
        api.ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapBillersApi().MapBillsApi().MapPaymentsApi().MapReceiptsApi();
    }
}
