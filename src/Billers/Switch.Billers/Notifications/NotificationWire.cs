using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Switch.Monetary;

namespace Switch.Billers.Notifications;

/// <summary>The JSON of a notification request and of its answer (docs/biller-api.md, "Notifications"), written and read.</summary>
public static class NotificationWire
{
    public const string Path = "/notifications";

    /// <summary>The largest answer the switch reads from a biller; more is a malformed answer.</summary>
    public const int MaxAnswerBytes = 256 * 1024;

    public static byte[] Request(string biller, IReadOnlyList<BillerNotification> batch)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + batch.Count * 400);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("biller", biller);
            json.WriteStartArray("notifications");
            foreach (var n in batch)
            {
                json.WriteStartObject();
                json.WriteNumber("sequence", n.Sequence);
                json.WriteString("type", n.Kind.ToString().ToLowerInvariant());
                json.WriteString("switchReference", n.SwitchReference);
                json.WriteString("paymentReference", n.PaymentReference);
                json.WriteString("bank", n.Bank);
                json.WriteString("accountNumber", n.AccountNumber);
                if (n.BillNumber is null)
                {
                    json.WriteNull("billNumber");
                }
                else
                {
                    json.WriteString("billNumber", n.BillNumber);
                }

                json.WriteString("amount", MoneyText.Format(n.Amount.Minor, n.Amount.Currency));
                json.WriteString("currency", n.Amount.Currency.Alpha);
                json.WriteString("channel", n.Channel);
                json.WriteString("committedAt", n.CommittedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a biller's answer: <c>{"results": [{"sequence": n, "status": "accepted" | "duplicate" | "rejected", "reason": "..."}]}</c>.
    /// Only sequences of <paramref name="sent"/> count; any other entry, or a malformed answer, is an error.
    /// </summary>
    /// <returns>The answers by sequence, or null with <paramref name="error"/> set.</returns>
    public static Dictionary<long, NotificationAnswer>? ReadAnswer(ReadOnlySpan<byte> body, IReadOnlySet<long> sent, out string? error)
    {
        error = null;
        var answers = new Dictionary<long, NotificationAnswer>();
        try
        {
            using var document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
            {
                error = "the answer has no results array";
                return null;
            }

            foreach (var result in results.EnumerateArray())
            {
                if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("sequence", out var sequence)
                    || !sequence.TryGetInt64(out var number) || !sent.Contains(number)
                    || !result.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.String)
                {
                    error = "a result names no sequence of the request";
                    return null;
                }

                NotificationAnswer? answer = status.GetString() switch
                {
                    "accepted" => NotificationAnswer.Accepted,
                    "duplicate" => NotificationAnswer.Duplicate,
                    "rejected" => NotificationAnswer.Rejected,
                    _ => null,
                };
                if (answer is null)
                {
                    error = "a result's status is not accepted, duplicate or rejected";
                    return null;
                }

                answers[number] = answer.Value;
            }
        }
        catch (JsonException)
        {
            error = "the answer is not JSON";
            return null;
        }

        return answers;
    }
}
