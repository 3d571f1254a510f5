using Switch.Host.Actors;

namespace Switch.Host.Tests.Cluster;

public class PositionReachTests
{
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void Bank_is_away_from_when_it_is_marked_until_its_position_answers()
    {
        var reach = new PositionReach(new ManualTime(), ProbeEvery);

        Assert.False(reach.IsAway("100001"));
        reach.MarkAway("100001");
        Assert.True(reach.IsAway("100001"));
        Assert.False(reach.IsAway("100002"));
        reach.Reached("100001");
        Assert.False(reach.IsAway("100001"));
    }

    [Fact]
    public void Away_bank_is_probed_at_most_once_per_interval_and_a_reachable_one_never()
    {
        var time = new ManualTime();
        var reach = new PositionReach(time, ProbeEvery);
        Assert.False(reach.ProbeDue("100001"));

        reach.MarkAway("100001");
        Assert.True(reach.ProbeDue("100001"));
        Assert.False(reach.ProbeDue("100001"));
        time.Advance(ProbeEvery - TimeSpan.FromMilliseconds(1));
        Assert.False(reach.ProbeDue("100001"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(reach.ProbeDue("100001"));
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
