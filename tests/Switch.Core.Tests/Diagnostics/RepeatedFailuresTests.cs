using Switch.Diagnostics;

namespace Switch.Core.Tests.Diagnostics;

public class RepeatedFailuresTests
{
    private readonly Clock _clock = new();

    [Fact]
    public void The_first_failure_of_a_kind_is_logged_the_rest_within_the_interval_counted_and_reported_with_the_next()
    {
        var failures = new RepeatedFailures(_clock, TimeSpan.FromSeconds(10));

        Assert.Equal((true, 0L), failures.Next(new TimeoutException("a")));
        Assert.Equal((false, 1L), failures.Next(new TimeoutException("b")));
        _clock.Now += TimeSpan.FromSeconds(9);
        Assert.Equal((false, 2L), failures.Next(new TimeoutException("c")));
        _clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal((true, 2L), failures.Next(new TimeoutException("d")));
        Assert.Equal((false, 1L), failures.Next(new TimeoutException("e")));
    }

    [Fact]
    public void Kinds_are_told_apart_by_the_exception_and_its_inner_exception()
    {
        var failures = new RepeatedFailures(_clock, TimeSpan.FromSeconds(10));

        Assert.True(failures.Next(new InvalidOperationException("x")).Log);
        Assert.True(failures.Next(new TimeoutException("x")).Log);
        Assert.True(failures.Next(new InvalidOperationException("x", new TimeoutException())).Log);
        Assert.False(failures.Next(new InvalidOperationException("y", new TimeoutException())).Log);
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
