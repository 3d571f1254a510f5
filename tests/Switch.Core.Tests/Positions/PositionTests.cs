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
            Assert.Equal(position.Reservations.Values.Sum(h => h.Amount), position.Reserved);
        }
    }

    [Fact]
    public void Reservation_asked_for_past_its_callers_deadline_is_too_late_and_holds_nothing()
    {
        var (position, outcome) = Position.Empty("100001", cap: 1_000).Reserve("a", 300, deadline: Now, settleBy: Now.AddSeconds(5), now: Now);

        Assert.Equal(ReserveOutcome.TooLate, outcome);
        Assert.Equal(0, position.Reserved);
    }

    [Fact]
    public void Reservation_is_overdue_only_from_its_settle_by_time()
    {
        var (position, _) = Position.Empty("100001", cap: 1_000).Reserve("a", 300, Now.AddSeconds(4), settleBy: Now.AddSeconds(9), now: Now);

        Assert.False(position.AnyOverdue(Now.AddSeconds(8)));
        Assert.True(position.AnyOverdue(Now.AddSeconds(9)));
    }

    [Fact]
    public void Reconcile_settles_a_held_reservation_the_journal_approved_as_confirmed_without_counting_it_twice()
    {
        var position = Held(("a", 300, Later), ("b", 200, Later));

        var (next, settled) = position.Reconcile(Journal(committed: 1_300, "a"), ["a", "b"], Now);

        Assert.Equal((1_300L, 200L), (next.Committed, next.Reserved));
        Assert.Equal([("a", true)], settled.Select(s => (s.Key, s.Value)));
    }

    [Fact]
    public void Reconcile_releases_an_overdue_reservation_the_journal_has_no_approval_for_and_keeps_the_others_waiting()
    {
        var position = Held(("late", 300, Now), ("early", 200, Later));

        var (next, settled) = position.Reconcile(Journal(committed: 1_000), ["late", "early"], Now);

        Assert.Equal((1_000L, 200L), (next.Committed, next.Reserved));
        Assert.True(next.Holds("early"));
        Assert.Equal([("late", false)], settled.Select(s => (s.Key, s.Value)));
    }

    [Fact]
    public void Reconcile_keeps_reservations_granted_after_the_question_was_sent()
    {
        var position = Held(("asked", 300, Now), ("granted-since", 200, Now));

        var (next, _) = position.Reconcile(Journal(committed: 0), ["asked"], Now);

        Assert.True(next.Holds("granted-since"));
        Assert.Equal(200, next.Reserved);
    }

    [Fact]
    public void Reconcile_reports_a_reference_it_does_not_hold_as_the_journal_has_it_and_takes_the_journals_total_and_cap()
    {
        var position = Position.Empty("100001", cap: 1_000) with { Committed = 100 };

        var (next, settled) = position.Reconcile(Journal(committed: 600, "approved") with { Cap = 700 }, ["approved", "never"], Now);

        Assert.Equal((700L, 600L), (next.Cap, next.Committed));
        Assert.Equal(new Dictionary<string, bool> { ["approved"] = true, ["never"] = false }, settled);
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset Later = Now.AddMinutes(1);

    private static Position Held(params (string Payment, long Amount, DateTimeOffset SettleBy)[] reservations) =>
        reservations.Aggregate(Position.Empty("100001", cap: 1_000_000), (position, r) => position.Reserve(r.Payment, r.Amount, Now.AddSeconds(1), r.SettleBy, Now).Next);

    private static JournalPosition Journal(long committed, params string[] approved) => new(1_000_000, committed, approved.ToHashSet());
}

/// <summary>The tests above predate deadlines: their reservations are asked for in time and never overdue.</summary>
file static class InTimeReservations
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static (Position Next, bool Granted) Reserve(this Position position, string payment, long amount)
    {
        var (next, outcome) = position.Reserve(payment, amount, Now.AddSeconds(5), Now.AddSeconds(10), Now);
        return (next, outcome == ReserveOutcome.Granted);
    }
}
