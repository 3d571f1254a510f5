namespace Switch.Billers.Notifications;

/// <summary>
/// What a biller's notifier sends next, and when it may try again: pure rules the notifier actor applies and tests
/// call directly.
/// </summary>
public static class DeliveryPlan
{
    /// <summary>
    /// The next batch from <paramref name="pending"/> (in sequence order, none of them in flight): at most
    /// <paramref name="batchSize"/> and <paramref name="allowance"/> notifications, taking none whose bill has a
    /// notification in flight (<paramref name="busyKeys"/>) or an earlier one held back here, so a bill's notifications
    /// reach the biller in sequence order even with several requests in flight.
    /// </summary>
    public static List<BillerNotification> NextBatch(IEnumerable<BillerNotification> pending, IReadOnlySet<string> busyKeys, int batchSize, int allowance)
    {
        var batch = new List<BillerNotification>();
        var held = new HashSet<string>();
        var limit = Math.Min(batchSize, allowance);
        foreach (var notification in pending)
        {
            if (batch.Count >= limit)
            {
                break;
            }

            var key = notification.OrderKey;
            if (busyKeys.Contains(key) || held.Contains(key))
            {
                held.Add(key);
                continue;
            }

            // Two of one bill in one batch are fine: the biller applies a batch in order (docs/biller-api.md).
            batch.Add(notification);
        }

        return batch;
    }

    /// <summary>Exponential backoff with full jitter between half and all of it: 0.5 s, 1 s, 2 s, ... up to <paramref name="cap"/>.</summary>
    /// <param name="failures">Consecutive failed attempts so far (1 after the first).</param>
    /// <param name="random">A number in [0, 1).</param>
    public static TimeSpan Backoff(int failures, double random, TimeSpan cap)
    {
        var exponent = Math.Clamp(failures - 1, 0, 20);
        var full = Math.Min(cap.TotalMilliseconds, 500 * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(full * (0.5 + random / 2));
    }
}

/// <summary>
/// A biller's circuit breaker: after <see cref="Threshold"/> failures in a row it opens, and the notifier sends nothing
/// until the backoff has passed; then one request probes (half open), and its success closes it.
/// </summary>
public sealed class CircuitBreaker(TimeProvider time, TimeSpan cap)
{
    public const int Threshold = 3;

    public int Failures { get; private set; }

    public DateTimeOffset OpenUntil { get; private set; } = DateTimeOffset.MinValue;

    public bool IsOpen => Failures >= Threshold;

    /// <summary>Whether a request may go now: always when closed; one probe when open and its time has passed.</summary>
    public bool Allows(int inFlight) => !IsOpen ? time.GetUtcNow() >= OpenUntil : inFlight == 0 && time.GetUtcNow() >= OpenUntil;

    public void Succeeded()
    {
        Failures = 0;
        OpenUntil = DateTimeOffset.MinValue;
    }

    /// <returns>How long until the next attempt.</returns>
    public TimeSpan Failed(double random)
    {
        Failures++;
        var wait = DeliveryPlan.Backoff(Failures, random, cap);
        OpenUntil = time.GetUtcNow() + wait;
        return wait;
    }
}
