using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

public class DeadlineTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Default_timeout_leaves_a_second_to_commit_and_decides_100_ms_before_the_edge_gives_up()
    {
        var deadline = new Deadline(Received, TimeSpan.FromSeconds(5));

        Assert.Equal(Received.AddSeconds(4), deadline.ApproveBy);
        Assert.Equal(Received.AddMilliseconds(4_900), deadline.AnswerBy);
    }

    [Fact]
    public void Short_timeout_keeps_its_parts_in_proportion()
    {
        var deadline = new Deadline(Received, TimeSpan.FromSeconds(1));

        Assert.Equal(Received.AddMilliseconds(800), deadline.ApproveBy);
        Assert.Equal(Received.AddMilliseconds(950), deadline.AnswerBy);
    }

    [Fact]
    public void Passed_once_the_answer_is_due()
    {
        var deadline = new Deadline(Received, TimeSpan.FromSeconds(5));

        Assert.False(deadline.Passed(new FixedTime(Received.AddMilliseconds(4_899))));
        Assert.True(deadline.Passed(new FixedTime(Received.AddMilliseconds(4_900))));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
