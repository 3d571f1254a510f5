using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

public class SwitchReferencesTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void References_made_one_after_another_sort_in_the_order_they_were_made()
    {
        var references = new SwitchReferences(7, TimeProvider.System);

        var made = Enumerable.Range(0, 10_000).Select(_ => references.Next()).ToList();

        Assert.All(made, r => Assert.Matches("^SW[0-9A-F]{20}$", r));
        Assert.Equal(made, made.Order(StringComparer.Ordinal));
        Assert.Equal(made.Count, made.Distinct().Count());
    }

    [Fact]
    public void A_reference_carries_the_millisecond_it_was_made_and_ends_with_its_node()
    {
        var time = new StoppedClock(Noon);

        var reference = new SwitchReferences(0xABCDE, time).Next();

        Assert.Equal(Noon.ToUnixTimeMilliseconds(), Convert.ToInt64(reference[2..13], 16));
        Assert.Equal("0ABCDE", reference[^6..]);
    }

    [Fact]
    public void Nodes_making_references_in_the_same_millisecond_never_make_the_same_one()
    {
        var time = new StoppedClock(Noon);
        var nodes = new[] { new SwitchReferences(1, time), new SwitchReferences(2, time), new SwitchReferences(SwitchReferences.MaxNode, time) };

        var made = new string[nodes.Length][];
        Parallel.For(0, nodes.Length, n => made[n] = Enumerable.Range(0, 20_000).Select(_ => nodes[n].Next()).ToArray());

        var all = made.SelectMany(r => r).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(made, fromOneNode => Assert.Equal(fromOneNode, fromOneNode.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void References_made_at_once_on_many_threads_of_one_node_are_all_different()
    {
        var references = new SwitchReferences(3, TimeProvider.System);

        var made = new string[4][];
        Parallel.For(0, made.Length, t => made[t] = Enumerable.Range(0, 50_000).Select(_ => references.Next()).ToArray());

        var all = made.SelectMany(r => r).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void A_clock_that_steps_back_still_makes_growing_references()
    {
        var time = new StoppedClock(Noon);
        var references = new SwitchReferences(1, time);

        var before = references.Next();
        time.Now = Noon.AddSeconds(-10);
        var after = references.Next();

        Assert.True(string.CompareOrdinal(after, before) > 0, $"{after} after {before}");
    }

    [Fact]
    public void The_earliest_reference_of_a_time_is_above_every_reference_made_before_it_and_below_every_one_made_since()
    {
        var time = new StoppedClock(Noon);
        var references = new SwitchReferences(SwitchReferences.MaxNode, time);
        var before = references.Next();
        time.Now = Noon.AddMilliseconds(1);
        var since = new SwitchReferences(1, time).Next();
        // The format before node numbers: the millisecond and a 20-bit count in 16 hex digits.
        var oldBefore = "SW" + ((Noon.ToUnixTimeMilliseconds() << 20) | 0xFFFFF).ToString("X16");
        var oldSince = "SW" + ((Noon.AddMilliseconds(1).ToUnixTimeMilliseconds() << 20) | 0).ToString("X16");

        var earliest = SwitchReferences.EarliestAt(Noon.AddMilliseconds(1));

        Assert.All([before, oldBefore], r => Assert.True(string.CompareOrdinal(r, earliest) < 0, $"{r} below {earliest}"));
        Assert.All([since, oldSince], r => Assert.True(string.CompareOrdinal(r, earliest) >= 0, $"{r} from {earliest}"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SwitchReferences.MaxNode + 1)]
    public void A_node_number_a_reference_cannot_carry_is_refused(int node) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SwitchReferences(node, TimeProvider.System));

    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
