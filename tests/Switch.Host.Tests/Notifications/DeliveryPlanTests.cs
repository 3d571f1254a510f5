using Switch.Billers.Notifications;
using Switch.Monetary;

namespace Switch.Host.Tests.Notifications;

public class DeliveryPlanTests
{
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;

    private static BillerNotification Of(long sequence, string bill) =>
        new("ELECT", sequence, NotificationKind.Payment, $"SW{sequence:X20}", $"SW{sequence:X20}", "100001", "0000000001", bill,
            new Money(100, Sar), "ATM", DateTimeOffset.UnixEpoch);

    [Fact]
    public void Batch_skips_a_bill_in_flight_and_everything_later_of_that_bill()
    {
        var pending = new[] { Of(1, "A"), Of(2, "B"), Of(3, "A"), Of(4, "C"), Of(5, "B") };

        var batch = DeliveryPlan.NextBatch(pending, new HashSet<string> { "B" }, batchSize: 10, allowance: 10);

        Assert.Equal([1L, 3, 4], batch.Select(n => n.Sequence));
    }

    [Fact]
    public void Batch_is_held_to_the_batch_size_and_the_rate_allowance()
    {
        var pending = Enumerable.Range(1, 20).Select(i => Of(i, $"bill{i}")).ToArray();

        Assert.Equal(5, DeliveryPlan.NextBatch(pending, new HashSet<string>(), batchSize: 5, allowance: 100).Count);
        Assert.Equal(3, DeliveryPlan.NextBatch(pending, new HashSet<string>(), batchSize: 5, allowance: 3).Count);
    }

    [Fact]
    public void Backoff_doubles_with_jitter_up_to_its_cap()
    {
        var cap = TimeSpan.FromSeconds(30);

        Assert.Equal(TimeSpan.FromMilliseconds(250), DeliveryPlan.Backoff(1, 0, cap));
        Assert.Equal(500, DeliveryPlan.Backoff(1, 0.999999999, cap).TotalMilliseconds, 0);
        Assert.Equal(2000, DeliveryPlan.Backoff(3, 0.999999999, cap).TotalMilliseconds, 0);
        Assert.Equal(TimeSpan.FromSeconds(15), DeliveryPlan.Backoff(40, 0, cap));
    }

    [Fact]
    public void Breaker_opens_after_three_failures_then_lets_one_probe_through_once_its_backoff_passed()
    {
        var time = new SettableTime();
        var breaker = new CircuitBreaker(time, TimeSpan.FromSeconds(30));

        for (var i = 0; i < CircuitBreaker.Threshold; i++)
        {
            breaker.Failed(0);
        }

        Assert.False(breaker.Allows(inFlight: 0));
        time.Now += TimeSpan.FromSeconds(1);
        Assert.Equal((true, false), (breaker.Allows(inFlight: 0), breaker.Allows(inFlight: 1)));
        breaker.Succeeded();
        Assert.True(breaker.Allows(inFlight: 3));
    }

    private sealed class SettableTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
