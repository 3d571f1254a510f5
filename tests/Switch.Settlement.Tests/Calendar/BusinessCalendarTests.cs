using System.Globalization;
using Switch.Settlement.Calendar;

namespace Switch.Settlement.Tests.Calendar;

public class BusinessCalendarTests
{
    private static readonly TimeZoneInfo Riyadh = TimeZoneInfo.FindSystemTimeZoneById("Asia/Riyadh");

    private static BusinessCalendar Saudi(string holidays = "", TimeOnly? dayEndsAt = null) =>
        BusinessCalendar.Parse("Friday,Saturday", holidays, Riyadh, dayEndsAt, out var error) ?? throw new InvalidOperationException(error);

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-12-03T10:00:00+03:00", "2026-12-03")] // Thursday
    [InlineData("2026-12-04T10:00:00+03:00", "2026-12-06")] // Friday: weekend
    [InlineData("2026-12-05T23:59:59+03:00", "2026-12-06")] // Saturday: weekend
    [InlineData("2026-12-06T00:00:00+03:00", "2026-12-06")] // Sunday
    public void Weekend_days_settle_on_the_next_business_day(string approvedAt, string settles)
    {
        Assert.Equal(Day(settles), Saudi().SettlementDate(At(approvedAt)));
    }

    [Fact]
    public void Holidays_and_the_weekend_together_are_skipped()
    {
        var calendar = Saudi("2026-12-03,2026-12-06");

        Assert.Equal(Day("2026-12-07"), calendar.SettlementDate(At("2026-12-03T09:00:00+03:00")));
        Assert.False(calendar.IsBusinessDay(Day("2026-12-06")));
        Assert.True(calendar.IsBusinessDay(Day("2026-12-07")));
    }

    [Fact]
    public void The_local_date_decides_not_the_utc_one()
    {
        // 21:30 UTC on Thursday 31 December is 00:30 on Friday 1 January in Riyadh: the weekend, in the next year.
        Assert.Equal(Day("2027-01-03"), Saudi().SettlementDate(At("2026-12-31T21:30:00Z")));
        Assert.Equal(Day("2026-12-31"), Saudi().SettlementDate(At("2026-12-31T20:59:59Z")));
    }

    [Fact]
    public void After_the_days_last_cutoff_a_payment_settles_from_the_next_day_across_a_month_end()
    {
        var calendar = Saudi(dayEndsAt: new TimeOnly(16, 0));

        Assert.Equal(Day("2026-04-30"), calendar.SettlementDate(At("2026-04-30T15:59:59+03:00")));
        Assert.Equal(Day("2026-05-03"), calendar.SettlementDate(At("2026-04-30T16:00:00+03:00")));
        Assert.Equal(Day("2026-03-01"), calendar.SettlementDate(At("2026-02-26T17:00:00+03:00")));
    }

    [Fact]
    public void Another_weekend_is_configurable()
    {
        var western = BusinessCalendar.Parse("Saturday, Sunday", "2026-12-25", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), null, out _)!;

        Assert.Equal(Day("2026-12-04"), western.SettlementDate(At("2026-12-04T10:00:00+01:00")));
        Assert.Equal(Day("2026-12-28"), western.SettlementDate(At("2026-12-25T10:00:00+01:00")));
    }

    [Theory]
    [InlineData("Friday,Caturday", "", "\"Caturday\" is not a day")]
    [InlineData("5", "", "\"5\" is not a day")]
    [InlineData("Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday", "", "cannot be the whole week")]
    [InlineData("Friday", "2026-02-30", "\"2026-02-30\" is not a date")]
    [InlineData("Friday", "30/01/2026", "\"30/01/2026\" is not a date")]
    public void Malformed_calendar_is_refused_with_its_reason(string weekend, string holidays, string reason)
    {
        Assert.Null(BusinessCalendar.Parse(weekend, holidays, Riyadh, null, out var error));
        Assert.Contains(reason, error);
    }
}
