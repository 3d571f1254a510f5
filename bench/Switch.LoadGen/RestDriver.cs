using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switch.LoadGen;

/// <summary>
/// HTTP clients of the REST API (docs/rest-api.md), one per bank with its API key. With several nodes, a request whose
/// node does not answer (stopped, killed) is sent again to the next one, under the same Idempotency-Key.
/// </summary>
public sealed class RestDriver(IReadOnlyDictionary<string, HttpClient> clients, int slots, RunIds ids, Ledger ledger, IReadOnlyList<Uri> nodes) : IDriver
{
    private int _next;

    public Edge Edge => Edge.Rest;

    public int Slots => slots;

    /// <param name="banks">Each bank's API key.</param>
    public static RestDriver Create(IReadOnlyList<Uri> nodes, IReadOnlyDictionary<string, string> banks, int clientsPerBank, int window, RunIds ids, Ledger ledger)
    {
        var clients = banks.ToDictionary(b => b.Key, b =>
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clientsPerBank * window })
            {
                Timeout = TimeSpan.FromSeconds(10),
            };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", b.Value);
            return client;
        });
        return new RestDriver(clients, banks.Count * clientsPerBank * window, ids, ledger, nodes);
    }

    public async Task<Outcome> SendAsync(Operation operation, CancellationToken cancellationToken)
    {
        var client = clients[operation.Bank];
        var key = ids.IdempotencyKey(ids.Next());
        HttpRequestMessage Build(Uri node) => operation switch
        {
            Inquiry inquiry => new HttpRequestMessage(HttpMethod.Get,
                new Uri(node, $"api/v1/billers/{inquiry.Biller}/accounts/{inquiry.Account}/bill?channel={inquiry.Channel}")),
            Payment payment => new HttpRequestMessage(HttpMethod.Post, new Uri(node, "api/v1/payments"))
            {
                Headers = { { "Idempotency-Key", key } },
                Content = JsonContent.Create(new JsonObject
                {
                    ["billerCode"] = payment.Biller, ["accountNumber"] = payment.Account, ["channel"] = payment.Channel,
                    ["amount"] = Money(payment.Amount), ["currency"] = "SAR",
                }),
            },
            Reversal reversal => new HttpRequestMessage(HttpMethod.Post, new Uri(node, $"api/v1/payments/{reversal.Handle}/reversal")),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        string code = Outcome.NoAnswer;
        string? paymentId = null;
        var first = Interlocked.Increment(ref _next);
        for (var attempt = 0; attempt < nodes.Count && code == Outcome.NoAnswer; attempt++)
        {
            try
            {
                using var request = Build(nodes[(int)((uint)(first + attempt) % (uint)nodes.Count)]);
                using var response = await client.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                code = body.TryGetProperty("responseCode", out var responseCode) ? responseCode.GetString()! : response.IsSuccessStatusCode ? "00" : Outcome.NoAnswer;
                paymentId = body.TryGetProperty("paymentId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                code = Outcome.NoAnswer;
            }
        }

        Record(operation, key, code, paymentId);
        return new Outcome(code);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>SAR, the demo billers' currency: two decimals, as text.</summary>
    private static string Money(long minor) => string.Create(CultureInfo.InvariantCulture, $"{minor / 100}.{minor % 100:D2}");

    private void Record(Operation operation, string key, string code, string? paymentId)
    {
        switch (operation)
        {
            case Payment payment when code == "00" && paymentId is not null:
                ledger.Approved(new Approval(payment.Bank, key, "", payment.Biller, payment.Amount, Edge.Rest), paymentId);
                break;
            case Payment payment when code == Outcome.NoAnswer:
                ledger.Unanswered[new JournalKey(payment.Bank, key, "")] = 0;
                break;
            case Reversal reversal:
                reversal.Original.Reversed |= code == "00";
                reversal.Original.ReversalUnknown |= code == Outcome.NoAnswer;
                break;
        }
    }
}
