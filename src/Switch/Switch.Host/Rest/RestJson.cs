using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Switch.Host.Rest;

/// <summary>Request bodies, read by hand so that every way a body can be wrong is answered 400/30 as problem+json.</summary>
public static class RestJson
{
    /// <summary>The largest body read: a payment is a few hundred bytes.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // A field given twice leaves the request ambiguous: a format error, not a guess (as for field 48 tags).
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// The body as <typeparamref name="T"/>, or the problem to answer: 415/30 when it is not declared
    /// application/json (UTF-8), 400/30 when it is not JSON of that shape (a number where a string belongs, too) or
    /// a field breaks its <see cref="RestInput"/> limits. An optional body may be absent (null, no problem).
    /// </summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, Func<T, string?> limits, bool optional = false) where T : class
    {
        var http = request.HttpContext;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            using var buffered = new MemoryStream();
            await request.Body.CopyToAsync(buffered, http.Deadline());
            if (buffered.Length == 0 && optional && request.ContentType is null)
            {
                return (null, null);
            }

            if (!IsJson(request.ContentType))
            {
                return (null, Problems.WithStatus(ResponseCodes.FormatError, StatusCodes.Status415UnsupportedMediaType,
                    "the body must be sent as Content-Type: application/json (UTF-8)", http));
            }

            if (buffered.Length == 0)
            {
                return optional ? (null, null) : (null, Problems.For(ResponseCodes.FormatError, "a JSON body is required", http));
            }

            buffered.Position = 0;
            if (await JsonSerializer.DeserializeAsync<T>(buffered, Options, http.Deadline()) is not { } body)
            {
                return (null, Problems.For(ResponseCodes.FormatError, "the body must be a JSON object", http));
            }

            return limits(body) is { } problem ? (null, Problems.For(ResponseCodes.FormatError, problem, http)) : (body, null);
        }
        catch (JsonException)
        {
            // The exception's message names .NET types and quotes the input: neither goes back to the caller.
            return (null, Problems.For(ResponseCodes.FormatError, "the body is not valid JSON for this request: an object whose fields are strings, each given once", http));
        }
        catch (BadHttpRequestException)
        {
            return (null, Problems.For(ResponseCodes.FormatError, $"the body is over {MaxBodyBytes} bytes", http));
        }
    }

    /// <summary>application/json, with no charset or UTF-8 (the only encoding JSON between systems may use, RFC 8259).</summary>
    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && string.Equals(type.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase)
        && (type.Charset.Length == 0 || string.Equals(type.Charset.Value, "utf-8", StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// POST /api/v1/payments. Every field is text: amounts are decimal strings, never JSON numbers. The optional fields have
/// defaults, which is what tells the OpenAPI document they are optional; a missing required one is answered 30.
/// </summary>
public sealed record PaymentRequest(
    string? BillerCode, string? AccountNumber, string? Channel, string? Amount, string? Currency, string? BillNumber = null, string? PayerAccount = null);

/// <summary>POST /api/v1/payments/{paymentId}/reversal: the amount, when given, must be the original's.</summary>
public sealed record ReversalRequest(string? Amount = null, string? Currency = null);

/// <summary>A payment as the bank sees it: the answer to POST, and what the status lookups return.</summary>
public sealed record PaymentBody(
    string? PaymentId, string Status, string ResponseCode, string? ApprovalCode, string? ReceiptCode, string BillerCode, string AccountNumber,
    string Amount, string Currency, string Fee, string Channel, string? IdempotencyKey, DateOnly? SettlementDate = null);

public sealed record ReversalBody(string PaymentId, string Status, string ResponseCode);

/// <summary>GET .../bill: a hosted bill, or for a prepaid biller only its limits (bill fields null).</summary>
public sealed record BillBody(
    string BillerCode, string AccountNumber, string? BillNumber, string? CustomerName, string? AmountDue, string Currency, DateOnly? DueDate,
    DateOnly? ExpiryDate, string MinimumAmount, string MaximumAmount, string PaymentRule, int OpenBills, string Fee);

public sealed record BillerBody(
    string Code, string NameEn, string NameAr, string Category, string Currency, string Presentment, string PaymentRule, string? MinimumPayment,
    string? MaximumPayment, string TransactionLimit, string AccountPattern, IReadOnlyList<string> Channels, bool Enrolled);
