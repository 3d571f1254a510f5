using Switch.Host.Iso;

namespace Switch.Host.Tests.Iso;

public class IsoDatesTests
{
    private static readonly DateTimeOffset Noon23Nov2026 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("1123", "2026-11-23")]
    [InlineData("1122", "2026-11-22")]
    [InlineData("0101", "2027-01-01")]   // within weeks ahead: next year's
    [InlineData("0601", "2026-06-01")]
    public void Field_13_is_bound_to_the_year_nearest_the_switch_clock(string mmdd, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected), IsoDates.LocalDate(null, null, mmdd, Noon23Nov2026));
    }

    [Fact]
    public void December_31_received_on_January_1_is_last_year()
    {
        var newYear = new DateTimeOffset(2027, 1, 1, 0, 5, 0, TimeSpan.Zero);

        Assert.Equal(new DateOnly(2026, 12, 31), IsoDates.LocalDate("1231235959", "235959", "1231", newYear));
    }

    [Fact]
    public void February_29_is_a_date_only_near_a_leap_year()
    {
        Assert.Null(IsoDates.LocalDate(null, null, "0229", Noon23Nov2026));
        Assert.Equal(new DateOnly(2028, 2, 29), IsoDates.LocalDate(null, null, "0229", new DateTimeOffset(2028, 3, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("9999")]
    [InlineData("0230")]
    [InlineData("1300")]
    [InlineData("0000")]
    [InlineData("0431")]
    [InlineData("1132")]
    [InlineData("112")]
    public void Impossible_field_13_is_refused(string mmdd)
    {
        Assert.Null(IsoDates.LocalDate(null, null, mmdd, Noon23Nov2026));
    }

    [Theory]
    [InlineData("1123120000", "246000")]   // hour 24 in 12
    [InlineData("1123120000", "126000")]   // minute 60 in 12
    [InlineData("1123120000", "120060")]   // second 60 in 12
    [InlineData("1323120000", "120000")]   // month 13 in 7
    [InlineData("0230120000", "120000")]   // 30 February in 7
    [InlineData("1123250000", "120000")]   // hour 25 in 7
    [InlineData("112312000", "120000")]    // 7 too short
    public void Impossible_field_7_or_12_is_refused(string transmission, string localTime)
    {
        Assert.Null(IsoDates.LocalDate(transmission, localTime, "1123", Noon23Nov2026));
    }

    [Fact]
    public void Real_fields_7_and_12_pass()
    {
        Assert.Equal(new DateOnly(2026, 11, 23), IsoDates.LocalDate("1123235959", "000000", "1123", Noon23Nov2026));
    }

    [Fact]
    public void Key_text_is_the_full_date()
    {
        Assert.Equal("20261231", IsoDates.KeyText(new DateOnly(2026, 12, 31)));
    }
}
