using Microsoft.OpenApi;

namespace Switch.Host.Rest;

public static class OpenApiBodies
{
    /// <summary>
    /// Documents a JSON body the handler reads itself. Accepts&lt;T&gt; would say the same but also turn away requests
    /// without Content-Type: application/json with a bare 415, where the contract answers every problem as problem+json.
    /// </summary>
    public static RouteHandlerBuilder DocumentsJsonBody<T>(this RouteHandlerBuilder endpoint, bool required = true) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken) },
                },
            };
        });
}
