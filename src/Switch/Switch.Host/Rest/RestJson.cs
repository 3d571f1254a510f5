using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

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

    /// <summary>The body as <typeparamref name="T"/>; null with a reason when it is not JSON of that shape (a number where a string belongs, too).</summary>
    public static async Task<(T? Body, string? Problem)> ReadAsync<T>(HttpRequest request, bool optional = false) where T : class
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            using var buffered = new MemoryStream();
            await request.Body.CopyToAsync(buffered, request.HttpContext.Deadline());
            if (buffered.Length == 0)
            {
                return optional ? (null, null) : (null, "a JSON body is required");
            }

            buffered.Position = 0;
            return await JsonSerializer.DeserializeAsync<T>(buffered, Options, request.HttpContext.Deadline()) is { } body
                ? (body, null)
                : (null, "the body must be a JSON object");
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON for this request: {e.Message}");
        }
        catch (BadHttpRequestException)
        {
            return (null, $"the body is over {MaxBodyBytes} bytes");
        }
    }
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
    string Amount, string Currency, string Fee, string Channel, string? IdempotencyKey);

public sealed record ReversalBody(string PaymentId, string Status, string ResponseCode);

/// <summary>GET .../bill: a hosted bill, or for a prepaid biller only its limits (bill fields null).</summary>
public sealed record BillBody(
    string BillerCode, string AccountNumber, string? BillNumber, string? CustomerName, string? AmountDue, string Currency, DateOnly? DueDate,
    DateOnly? ExpiryDate, string MinimumAmount, string MaximumAmount, string PaymentRule, int OpenBills, string Fee);

public sealed record BillerBody(
    string Code, string NameEn, string NameAr, string Category, string Currency, string Presentment, string PaymentRule, string? MinimumPayment,
    string? MaximumPayment, string TransactionLimit, string AccountPattern, IReadOnlyList<string> Channels, bool Enrolled);
