using Switch.Settlement.Cutoffs;

namespace Switch.Settlement.Tests.Cutoffs;

public class CutoffScheduleTests
{
    private static CutoffSchedule Schedule(string times, string zone) =>
        CutoffSchedule.Parse(times, zone, out var error) ?? throw new InvalidOperationException(error);

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every cut-off a clock meets moving from <paramref name="from"/> to <paramref name="to"/>, as the closer would.</summary>
    private static List<DateTimeOffset> Fired(CutoffSchedule schedule, ManualTime clock, DateTimeOffset to)
    {
        var fired = new List<DateTimeOffset>();
        for (var next = schedule.Next(clock.GetUtcNow()); next <= to; next = schedule.Next(clock.GetUtcNow()))
        {
            clock.Set(next);
            fired.Add(next);
        }

        return fired;
    }

    [Fact]
    public void Next_cutoff_crosses_a_month_and_a_year_end()
    {
        var riyadh = Schedule("11:00,16:00", "Asia/Riyadh");

        Assert.Equal(Utc("2026-02-01T08:00:00Z"), riyadh.Next(Utc("2026-01-31T13:30:00Z")));
        Assert.Equal(Utc("2027-01-01T08:00:00Z"), riyadh.Next(Utc("2026-12-31T20:59:59Z")));
        Assert.Equal(Utc("2026-03-01T08:00:00Z"), riyadh.Next(Utc("2026-02-28T13:00:00Z")));
    }

    [Fact]
    public void Several_cutoffs_a_day_fire_in_order_and_a_cutoff_at_the_instant_given_is_not_next()
    {
        var riyadh = Schedule("16:00, 11:00", "Asia/Riyadh");

        Assert.Equal(Utc("2026-06-10T08:00:00Z"), riyadh.Next(Utc("2026-06-10T07:00:00Z")));
        Assert.Equal(Utc("2026-06-10T13:00:00Z"), riyadh.Next(Utc("2026-06-10T08:00:00Z")));
        Assert.Equal(Utc("2026-06-11T08:00:00Z"), riyadh.Next(Utc("2026-06-10T13:00:00Z")));
    }

    [Fact]
    public void A_clock_moving_through_a_month_meets_each_cutoff_once_at_its_local_time()
    {
        var riyadh = Schedule("11:00,16:00", "Asia/Riyadh");
        var clock = new ManualTime(Utc("2026-01-31T21:00:00Z"));

        var fired = Fired(riyadh, clock, Utc("2026-02-28T21:00:00Z"));

        Assert.Equal(56, fired.Count);
        Assert.Equal(56, fired.Distinct().Count());
        Assert.All(fired, at => Assert.Contains(TimeZoneInfo.ConvertTime(at, riyadh.Zone).TimeOfDay, new[] { TimeSpan.FromHours(11), TimeSpan.FromHours(16) }));
    }

    [Fact]
    public void A_cutoff_the_clock_jumps_over_fires_at_the_jump()
    {
        // Berlin, 29 March 2026: at 01:00 UTC the clock goes from 02:00 to 03:00.
        var berlin = Schedule("02:30", "Europe/Berlin");

        Assert.Equal(Utc("2026-03-29T01:00:00Z"), berlin.Next(Utc("2026-03-28T12:00:00Z")));
        Assert.Equal(Utc("2026-03-30T00:30:00Z"), berlin.Next(Utc("2026-03-29T01:00:00Z")));
    }

    [Fact]
    public void A_cutoff_the_clock_shows_twice_fires_the_first_time_only()
    {
        // Berlin, 25 October 2026: at 01:00 UTC the clock goes back from 03:00 to 02:00, so 02:30 comes twice.
        var berlin = Schedule("02:30", "Europe/Berlin");
        var clock = new ManualTime(Utc("2026-10-24T12:00:00Z"));

        var fired = Fired(berlin, clock, Utc("2026-10-26T12:00:00Z"));

        Assert.Equal([Utc("2026-10-25T00:30:00Z"), Utc("2026-10-26T01:30:00Z")], fired);
    }

    [Fact]
    public void Cutoffs_keep_their_local_time_across_both_daylight_saving_changes()
    {
        var newYork = Schedule("18:00", "America/New_York");

        var spring = Fired(newYork, new ManualTime(Utc("2026-03-06T12:00:00Z")), Utc("2026-03-10T12:00:00Z"));
        var autumn = Fired(newYork, new ManualTime(Utc("2026-10-30T12:00:00Z")), Utc("2026-11-03T12:00:00Z"));

        Assert.Equal([Utc("2026-03-06T23:00:00Z"), Utc("2026-03-07T23:00:00Z"), Utc("2026-03-08T22:00:00Z"), Utc("2026-03-09T22:00:00Z")], spring);
        Assert.Equal([Utc("2026-10-30T22:00:00Z"), Utc("2026-10-31T22:00:00Z"), Utc("2026-11-01T23:00:00Z"), Utc("2026-11-02T23:00:00Z")], autumn);
    }

    [Theory]
    [InlineData("25:00", "Asia/Riyadh", "\"25:00\" is not a time of day")]
    [InlineData("11:00,noon", "Asia/Riyadh", "\"noon\" is not a time of day")]
    [InlineData("9:00", "Asia/Riyadh", "\"9:00\" is not a time of day")]
    [InlineData("", "Asia/Riyadh", "1 to 48 times")]
    [InlineData("11:00", "Mars/Olympus", "\"Mars/Olympus\" is not known")]
    public void Malformed_schedule_is_refused_with_its_reason(string times, string zone, string reason)
    {
        Assert.Null(CutoffSchedule.Parse(times, zone, out var error));
        Assert.Contains(reason, error);
    }

    /// <summary>A clock the test moves.</summary>
    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public void Set(DateTimeOffset now) => _now = now;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
