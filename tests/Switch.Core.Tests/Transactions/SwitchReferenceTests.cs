using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

public class SwitchReferenceTests
{
    [Fact]
    public void References_made_one_after_another_sort_in_the_order_they_were_made()
    {
        var references = Enumerable.Range(0, 10_000).Select(_ => SwitchReference.Next()).ToList();

        Assert.All(references, r => Assert.Matches("^SW[0-9A-F]{16}$", r));
        Assert.Equal(references, references.Order(StringComparer.Ordinal));
        Assert.Equal(references.Count, references.Distinct().Count());
    }

    [Fact]
    public void References_made_at_once_on_many_threads_are_all_different()
    {
        var references = new string[4][];
        Parallel.For(0, references.Length, t => references[t] = Enumerable.Range(0, 50_000).Select(_ => SwitchReference.Next()).ToArray());

        var all = references.SelectMany(r => r).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void A_reference_carries_the_millisecond_it_was_made()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var reference = SwitchReference.Next();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Counts above a million a millisecond would run ahead of the clock; these tests make far fewer.
        var made = Convert.ToInt64(reference[2..], 16) >> 20;
        Assert.InRange(made, before, after + 1);
    }
}
