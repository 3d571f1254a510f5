using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switch.Billers.Notifications;

namespace Switch.Billers.Simulator;

/// <summary>How a simulated biller behaves.</summary>
/// <param name="Outages">Windows, from the simulator's start, in which it answers 503 to everything.</param>
public sealed record SimulatedBiller(string Code, byte[] Key, TimeSpan Latency = default, double ErrorRate = 0, IReadOnlyList<(TimeSpan From, TimeSpan To)>? Outages = null);

/// <summary>
/// REST billers as docs/biller-api.md has them implement notifications: each at <c>/{code}/notifications</c>, verifying
/// the switch's signature (401 otherwise), deduping on the switch reference (a repeat answers "duplicate" and is
/// counted), checking the sequence for gaps and each bill's order, signing its answers. Latency, an error rate and
/// outage windows are configurable; <c>GET /simulator/{code}</c> gives what it received, <c>POST
/// /simulator/{code}/outage</c> turns an outage on or off. The demo and the tests run it as a real HTTP server.
/// </summary>
public sealed class BillerSimulator : IAsyncDisposable
{
    private readonly Dictionary<string, Biller> _billers;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private readonly WebApplication _app;

    private BillerSimulator(IEnumerable<SimulatedBiller> billers, string url, TimeProvider time)
    {
        _billers = billers.ToDictionary(b => b.Code, b => new Biller(b));
        _time = time;
        _started = time.GetUtcNow();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 4 * 1024 * 1024);
        _app = builder.Build();
        _app.MapPost("/{code}/notifications", Notify);
        _app.MapGet("/simulator/{code}", Stats);
        _app.MapPost("/simulator/{code}/outage", (string code, bool down) =>
        {
            if (!_billers.TryGetValue(code, out var biller))
            {
                return Results.NotFound();
            }

            biller.Down = down;
            return Results.NoContent();
        });
    }

    public static async Task<BillerSimulator> StartAsync(IEnumerable<SimulatedBiller> billers, string url, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var simulator = new BillerSimulator(billers, url, time);
        await simulator._app.StartAsync(cancellationToken);
        return simulator;
    }

    public Uri Address => new(_app.Urls.First());

    public SimulatorStats StatsOf(string code) => _billers[code].Snapshot();

    public void SetDown(string code, bool down) => _billers[code].Down = down;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private IResult Stats(string code) => _billers.TryGetValue(code, out var biller) ? Results.Json(biller.Snapshot()) : Results.NotFound();

    private async Task Notify(string code, HttpContext http)
    {
        if (!_billers.TryGetValue(code, out var biller))
        {
            http.Response.StatusCode = 404;
            return;
        }

        var body = await ReadAsync(http.Request);
        var settings = biller.Settings;
        if (settings.Latency > TimeSpan.Zero)
        {
            await Task.Delay(settings.Latency, _time, http.RequestAborted);
        }

        var signature = http.Request.Headers[BillerSignature.SignatureHeader].ToString();
        var since = _time.GetUtcNow() - _started;
        if (biller.Down || settings.Outages?.Any(o => since >= o.From && since < o.To) == true || Random.Shared.NextDouble() < settings.ErrorRate)
        {
            biller.Refused();
            await AnswerAsync(http, settings.Key, 503, signature, """{"error":"unavailable"}"""u8.ToArray());
            return;
        }

        if (!BillerSignature.InWindow(http.Request.Headers[BillerSignature.TimestampHeader], _time.GetUtcNow(), out var timestamp)
            || !BillerSignature.Matches(settings.Key, BillerSignature.RequestCanonical("POST", http.Request.Path + http.Request.QueryString, timestamp, body), signature))
        {
            biller.BadSignature();
            // Unsigned: nothing to bind the answer to.
            await AnswerAsync(http, settings.Key, 401, "", """{"error":"signature"}"""u8.ToArray());
            return;
        }

        List<(long Sequence, string Status)> results;
        try
        {
            results = biller.Apply(JsonDocument.Parse(body).RootElement.GetProperty("notifications"));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            await AnswerAsync(http, settings.Key, 400, signature, """{"error":"malformed"}"""u8.ToArray());
            return;
        }

        var answer = JsonSerializer.SerializeToUtf8Bytes(new { results = results.Select(r => new { sequence = r.Sequence, status = r.Status }) });
        await AnswerAsync(http, settings.Key, 200, signature, answer);
    }

    private async Task AnswerAsync(HttpContext http, byte[] key, int status, string requestSignature, byte[] body)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers[BillerSignature.AnswerTimestampHeader] = timestamp.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[BillerSignature.AnswerSignatureHeader] = BillerSignature.SignAnswer(key, status, requestSignature, timestamp, body);
        await http.Response.Body.WriteAsync(body);
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>One simulated biller's ledger; requests arrive on many threads, so it is locked.</summary>
    private sealed class Biller(SimulatedBiller settings)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, long> _applied = [];
        private readonly Dictionary<string, long> _lastByBill = [];
        private readonly HashSet<long> _sequences = [];
        private long _received;
        private long _duplicates;
        private long _badSignatures;
        private long _refused;
        private long _outOfOrder;
        private long _payments;
        private long _reversals;

        public SimulatedBiller Settings { get; } = settings;

        public volatile bool Down;

        public void Refused()
        {
            lock (_lock)
            {
                _refused++;
            }
        }

        public void BadSignature()
        {
            lock (_lock)
            {
                _badSignatures++;
            }
        }

        public List<(long, string)> Apply(JsonElement notifications)
        {
            var results = new List<(long, string)>();
            lock (_lock)
            {
                foreach (var n in notifications.EnumerateArray())
                {
                    var sequence = n.GetProperty("sequence").GetInt64();
                    var reference = n.GetProperty("switchReference").GetString() ?? throw new FormatException();
                    var bill = n.GetProperty("billNumber").GetString() ?? "account:" + n.GetProperty("accountNumber").GetString();
                    _received++;
                    if (!_applied.TryAdd(reference, sequence))
                    {
                        _duplicates++;
                        results.Add((sequence, "duplicate"));
                        continue;
                    }

                    _sequences.Add(sequence);
                    if (_lastByBill.TryGetValue(bill, out var last) && last > sequence)
                    {
                        _outOfOrder++;
                    }

                    _lastByBill[bill] = sequence;
                    if (n.GetProperty("type").GetString() == "payment")
                    {
                        _payments++;
                    }
                    else
                    {
                        _reversals++;
                    }

                    results.Add((sequence, "accepted"));
                }
            }

            return results;
        }

        public SimulatorStats Snapshot()
        {
            lock (_lock)
            {
                var max = _sequences.Count == 0 ? 0 : _sequences.Max();
                return new SimulatorStats(_received, _applied.Count, _payments, _reversals, _duplicates, _badSignatures, _refused, _outOfOrder,
                    max, max - _sequences.Count);
            }
        }
    }
}

/// <param name="Reversals">Reversals and cancellations.</param>
/// <param name="Gaps">Sequence numbers below the highest applied that were never received.</param>
public sealed record SimulatorStats(
    long Received, long Applied, long Payments, long Reversals, long Duplicates, long BadSignatures, long Refused, long OutOfOrder, long LastSequence, long Gaps);
