using System.Net.Http.Headers;
using Akka.Actor;
using Akka.Event;
using Switch.Adapters.Postgres;
using Switch.Billers.Notifications;

namespace Switch.Host.Actors;

/// <summary>
/// Delivers one biller's notifications (docs/biller-api.md) to its endpoint: in sequence order per bill, at most the
/// biller's rate a second and its in-flight bound at once, in batches when it takes them, behind a circuit breaker with
/// exponential backoff and jitter. A notification is delivered once the biller's signed answer acknowledged it and
/// that is recorded; a crash in between sends it again (the biller dedupes on the switch reference), so a kill -9
/// costs the biller at most what was in flight in duplicates. What keeps failing past the maximum age is parked for
/// the operator queue. Only this actor's mailbox touches its state; HTTP and PostgreSQL come back by PipeTo.
/// </summary>
public sealed class BillerNotifier : ReceiveActor, IWithTimers
{
    private readonly PostgresBillerNotifications _store;
    private readonly NotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly CircuitBreaker _breaker;
    private readonly SortedList<long, BillerNotification> _pending = [];
    private readonly Dictionary<int, List<BillerNotification>> _inFlight = [];
    private readonly HashSet<long> _inFlightSequences = [];
    private readonly Dictionary<string, int> _busyKeys = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private BillerAdapterSettings _settings;
    private bool _loading;
    private bool _moreInStore = true;
    private double _tokens;
    private DateTimeOffset _refilledAt;
    private int _nextRequest;
    private string? _lastError;
    private bool _rescan;
    private readonly HashSet<long> _deliveredSinceLoad = [];
    private bool _dispatchedDuringLoad;
    private long _highestKnown;
    private DateTimeOffset? _retriedAt;

    public BillerNotifier(BillerAdapterSettings settings, PostgresBillerNotifications store, NotificationOptions options, TimeProvider time, HttpClient http)
    {
        _settings = settings;
        _store = store;
        _options = options;
        _time = time;
        _http = http;
        _breaker = new CircuitBreaker(time, options.MaxBackoff);
        _refilledAt = time.GetUtcNow();
        _tokens = Capacity;
        Receive<Rescan>(_ => { _moreInStore = true; _rescan = true; Pump(); });
        Receive<Parked>(OnParked);
        Receive<Dispatched>(OnDispatched);
        Receive<Pumped>(_ => Pump());
        Receive<BillerAdapterSettings>(s => { _settings = s; Pump(); });
        Receive<Loaded>(OnLoaded);
        Receive<Sent>(OnSent);
        Receive<Status.Failure>(failure =>
        {
            _loading = false;
            _log.Warning("Reading biller {0}'s notifications failed: {1}", _settings.Biller, failure.Cause.Message);
            Timers.StartSingleTimer("pump", Pumped.Instance, _options.MaxBackoff);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BillerAdapterSettings settings, PostgresBillerNotifications store, NotificationOptions options, TimeProvider time, HttpClient http) =>
        Akka.Actor.Props.Create(() => new BillerNotifier(settings, store, options, time, http));

    /// <summary>Notifications just dispatched to this biller, in sequence order.</summary>
    public sealed record Dispatched(List<BillerNotification> Rows);

    /// <summary>A burst of up to a tenth of a second's rate, and at least one batch.</summary>
    private double Capacity => Math.Max(_settings.BatchSize, _settings.RatePerSecond / 10.0);

    // Replays and operator retries reopen notifications behind the ones in memory: read from the watermark every so often.
    protected override void PreStart() => Timers.StartPeriodicTimer("look", Rescan.Instance, _options.AdapterRefresh);

    private void Pump()
    {
        if (!_settings.Notify)
        {
            return;
        }

        if (!_loading && _moreInStore && _pending.Count < _options.Window / 2)
        {
            _loading = true;
            var after = _rescan || (_pending.Count == 0 && _inFlight.Count == 0) ? 0
                : Math.Max(_pending.Count == 0 ? 0 : _pending.Keys[^1], _inFlightSequences.DefaultIfEmpty().Max());
            _rescan = false;
            _deliveredSinceLoad.Clear();
            _store.PendingAsync(_settings.Biller, after, _options.Window, CancellationToken.None)
                .PipeTo(Self, success: read => new Loaded(read, _options.Window));
        }

        Refill();
        while (_inFlight.Count < _settings.MaxInFlight && _breaker.Allows(_inFlight.Count) && _pending.Count > 0)
        {
            if (_tokens < 1)
            {
                Timers.StartSingleTimer("pump", Pumped.Instance, TimeSpan.FromSeconds((1 - _tokens) / _settings.RatePerSecond));
                return;
            }

            var batch = DeliveryPlan.NextBatch(_pending.Values, _busyKeys.Keys.ToHashSet(), _settings.BatchSize, (int)_tokens);
            if (batch.Count == 0)
            {
                return;
            }

            _tokens -= batch.Count;
            var request = _nextRequest++;
            _inFlight[request] = batch;
            foreach (var notification in batch)
            {
                _pending.Remove(notification.Sequence);
                _inFlightSequences.Add(notification.Sequence);
                _busyKeys[notification.OrderKey] = _busyKeys.GetValueOrDefault(notification.OrderKey) + 1;
            }

            DeliverAsync(_settings, batch).PipeTo(Self, success: outcome => new Sent(request, outcome));
        }

        if (_pending.Count > 0 && !_breaker.Allows(_inFlight.Count) && _inFlight.Count == 0)
        {
            Timers.StartSingleTimer("pump", Pumped.Instance, Max(_breaker.OpenUntil - _time.GetUtcNow(), TimeSpan.FromMilliseconds(1)));
        }
    }

    private void Refill()
    {
        var now = _time.GetUtcNow();
        _tokens = Math.Min(Capacity, _tokens + (now - _refilledAt).TotalSeconds * _settings.RatePerSecond);
        _refilledAt = now;
    }

    /// <summary>
    /// Takes what the dispatch read straight into memory when memory holds everything the store has and the rows follow
    /// on from the highest sequence seen; otherwise the store is read, so nothing is missed or taken twice.
    /// </summary>
    private void OnDispatched(Dispatched dispatched)
    {
        if (_loading)
        {
            _dispatchedDuringLoad = true;
        }
        else if (!_moreInStore && dispatched.Rows[0].Sequence == _highestKnown + 1 && _pending.Count + dispatched.Rows.Count <= _options.Window)
        {
            foreach (var row in dispatched.Rows)
            {
                _pending.TryAdd(row.Sequence, row);
            }

            _highestKnown = dispatched.Rows[^1].Sequence;
        }
        else
        {
            _moreInStore = true;
        }

        Pump();
    }

    private void OnLoaded(Loaded loaded)
    {
        _loading = false;
        _moreInStore = loaded.Read.Rows.Count >= loaded.Limit || _dispatchedDuringLoad;
        _dispatchedDuringLoad = false;
        _highestKnown = Math.Max(_highestKnown, loaded.Read.Rows.Count == 0 ? 0 : loaded.Read.Rows[^1].Sequence);
        _retriedAt = loaded.Read.RetriedAt;
        foreach (var row in loaded.Read.Rows)
        {
            // A read that started before an acknowledgement was recorded still has it as pending.
            if (!_inFlightSequences.Contains(row.Sequence) && !_deliveredSinceLoad.Contains(row.Sequence))
            {
                _pending.TryAdd(row.Sequence, row);
            }
        }

        Pump();
    }

    private void OnSent(Sent sent)
    {
        var batch = _inFlight[sent.Request];
        _inFlight.Remove(sent.Request);
        foreach (var notification in batch)
        {
            _inFlightSequences.Remove(notification.Sequence);
            if (--_busyKeys[notification.OrderKey] == 0)
            {
                _busyKeys.Remove(notification.OrderKey);
            }
        }

        var outcome = sent.Outcome;
        if (_loading)
        {
            _deliveredSinceLoad.UnionWith(outcome.Delivered);
        }

        if (outcome.Error is null)
        {
            _breaker.Succeeded();
            if (_lastError is not null)
            {
                _log.Info("Biller {0} takes notifications again", _settings.Biller);
                _lastError = null;
            }
        }
        else
        {
            var wait = _breaker.Failed(Random.Shared.NextDouble());
            // Logged once per condition, not once per attempt.
            if (_lastError != outcome.Error)
            {
                _log.Warning("Notifying biller {0} failed ({1}); trying again with backoff, next in {2}", _settings.Biller, outcome.Error, wait);
                _lastError = outcome.Error;
            }

            foreach (var notification in batch.Where(n => !outcome.Delivered.Contains(n.Sequence)))
            {
                _pending.TryAdd(notification.Sequence, notification);
            }

            Park(outcome.Error);
            Timers.StartSingleTimer("pump", Pumped.Instance, wait);
        }

        Pump();
    }

    /// <summary>
    /// Whatever of a failing biller's notifications in memory is older than the maximum age (counted from the operator's
    /// last retry, if later) goes to the operator queue; until it is recorded there it is held out of delivery.
    /// </summary>
    private void Park(string error)
    {
        var cutoff = _time.GetUtcNow() - _options.MaxAge;
        if (_retriedAt > cutoff)
        {
            return;
        }

        var old = _pending.Values.Where(n => n.CommittedAt < cutoff).ToList();
        if (old.Count == 0)
        {
            return;
        }

        foreach (var notification in old)
        {
            _pending.Remove(notification.Sequence);
        }

        _store.ParkAsync(_settings.Biller, old, error, CancellationToken.None)
            .PipeTo(Self, success: () => new Parked(old, null), failure: e => new Parked(old, e.Message));
    }

    private void OnParked(Parked parked)
    {
        if (parked.Error is null)
        {
            _log.Warning("{0} notifications of biller {1} failed for longer than {2}: parked in the operator queue", parked.Notifications.Count, _settings.Biller, _options.MaxAge);
        }
        else
        {
            foreach (var notification in parked.Notifications)
            {
                _pending.TryAdd(notification.Sequence, notification);
            }
        }
    }

    /// <summary>One signed request with the batch; the answer verified, read and its acknowledgements recorded. Never throws.</summary>
    private async Task<Outcome> DeliverAsync(BillerAdapterSettings settings, List<BillerNotification> batch)
    {
        HashSet<long> delivered = [];
        string error;
        try
        {
            error = await SendAsync(settings, batch, delivered);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            error = e is OperationCanceledException ? $"no answer within {settings.Timeout.TotalMilliseconds} ms" : $"unreachable: {e.Message}";
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException)
        {
            // Acknowledged but not recorded: sent again later, and the biller answers duplicate.
            error = $"recording the acknowledgements failed: {e.Message}";
            delivered.Clear();
        }

        return new Outcome(error.Length == 0 ? null : error, delivered);
    }

    /// <returns>The error, or "" when every notification of the batch was acknowledged (and recorded in <paramref name="delivered"/>).</returns>
    private async Task<string> SendAsync(BillerAdapterSettings settings, List<BillerNotification> batch, HashSet<long> delivered)
    {
        if (settings.SigningKey is null)
        {
            return "the biller's adapter has no signing key";
        }

        var body = NotificationWire.Request(settings.Biller, batch);
        var path = settings.Endpoint.AbsolutePath.TrimEnd('/') + NotificationWire.Path;
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var signature = BillerSignature.SignRequest(settings.SigningKey, "POST", path, timestamp, body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.Endpoint, path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(BillerSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(BillerSignature.SignatureHeader, signature);
        using var timeout = new CancellationTokenSource(settings.Timeout);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var answer = await ReadLimitedAsync(response.Content, timeout.Token);
        if (answer is null)
        {
            return $"the answer is over {NotificationWire.MaxAnswerBytes} bytes";
        }

        var status = (int)response.StatusCode;
        if (!BillerSignature.InWindow(Header(response, BillerSignature.AnswerTimestampHeader), _time.GetUtcNow(), out var answeredAt)
            || !BillerSignature.Matches(settings.SigningKey, BillerSignature.AnswerCanonical(status, signature, answeredAt, answer),
                Header(response, BillerSignature.AnswerSignatureHeader)))
        {
            return $"HTTP {status} answer not signed, wrongly signed or out of its time window";
        }

        if (status != 200)
        {
            return $"HTTP {status}";
        }

        var answers = NotificationWire.ReadAnswer(answer, batch.Select(n => n.Sequence).ToHashSet(), out var malformed);
        if (answers is null)
        {
            return malformed!;
        }

        if (answers.Count > 0)
        {
            await _store.DeliveredAsync(settings.Biller, batch, answers, CancellationToken.None);
            delivered.UnionWith(answers.Keys);
        }

        return answers.Count == batch.Count ? "" : "the answer left some notifications out";
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static async Task<byte[]?> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > NotificationWire.MaxAnswerBytes)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > NotificationWire.MaxAnswerBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class Pumped
    {
        public static readonly Pumped Instance = new();
    }

    private sealed class Rescan
    {
        public static readonly Rescan Instance = new();
    }

    private sealed record Loaded(PendingNotifications Read, int Limit);

    private sealed record Parked(List<BillerNotification> Notifications, string? Error);

    private sealed record Outcome(string? Error, HashSet<long> Delivered);

    private sealed record Sent(int Request, Outcome Outcome);
}
