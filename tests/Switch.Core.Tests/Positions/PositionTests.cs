using FsCheck.Xunit;
using Switch.Positions;

namespace Switch.Core.Tests.Positions;

public class PositionTests
{
    [Fact]
    public void Reservations_up_to_the_cap_are_granted_and_beyond_it_refused()
    {
        var position = Position.Empty("100001", cap: 120);
        var granted = 0;

        for (var i = 0; i < 200; i++)
        {
            (position, var ok) = position.Reserve($"p{i}", 1);
            granted += ok ? 1 : 0;
        }

        Assert.Equal(120, granted);
        Assert.Equal(120, position.Exposure);
    }

    [Fact]
    public void Confirm_moves_the_amount_to_committed_and_release_gives_it_back()
    {
        var position = Position.Empty("100001", cap: 1_000);
        (position, _) = position.Reserve("a", 300);
        (position, _) = position.Reserve("b", 200);

        position = position.Confirm("a").Release("b");

        Assert.Equal((300L, 0L), (position.Committed, position.Reserved));
    }

    [Fact]
    public void Repeats_change_nothing()
    {
        var position = Position.Empty("100001", cap: 1_000);
        (position, _) = position.Reserve("a", 300);
        (position, var again) = position.Reserve("a", 300);

        position = position.Confirm("a").Confirm("a").Release("a");

        Assert.True(again);
        Assert.Equal((300L, 0L), (position.Committed, position.Reserved));
    }

    [Fact]
    public void Reversal_lowers_the_position_so_a_refused_amount_fits_again()
    {
        var position = Position.Empty("100001", cap: 500);
        (position, _) = position.Reserve("a", 500);
        position = position.Confirm("a");
        var (_, refused) = position.Reserve("b", 100);

        (position, var granted) = position.Reverse(500).Reserve("b", 100);

        Assert.False(refused);
        Assert.True(granted);
    }

    [Fact]
    public void Non_positive_amounts_are_a_programming_error() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Position.Empty("100001", 10).Reserve("a", 0));

    [Property(MaxTest = 300)]
    public void Exposure_never_exceeds_the_cap_and_reserved_is_the_sum_of_reservations_whatever_the_sequence(int seed)
    {
        var random = new Random(seed);
        var position = Position.Empty("100001", cap: random.Next(0, 10_000));
        for (var step = 0; step < 200; step++)
        {
            var payment = $"p{random.Next(40)}";
            position = random.Next(3) switch
            {
                0 => position.Reserve(payment, random.Next(1, 2_000)).Next,
                1 => position.Confirm(payment),
                _ => position.Release(payment),
            };
            Assert.InRange(position.Exposure, 0, position.Cap);
            Assert.Equal(position.Reservations.Values.Sum(), position.Reserved);
        }
    }
}
