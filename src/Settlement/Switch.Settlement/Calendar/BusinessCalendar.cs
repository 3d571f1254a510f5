using System.Collections.Frozen;
using System.Globalization;

namespace Switch.Settlement.Calendar;

/// <summary>
/// The RTGS's business days: every day but the weekend (configurable, e.g. Friday and Saturday) and the RTGS holidays.
/// A payment settles on the business day of its local date, or the next one; one approved after the day's last cut-off
/// is in a window that closes the next day, so it settles on the business day from then. Pure and in memory: asked
/// once per approval, it reads nothing.
/// </summary>
public sealed class BusinessCalendar
{
    private readonly FrozenSet<DayOfWeek> _weekend;
    private readonly FrozenSet<DateOnly> _holidays;

    public BusinessCalendar(IEnumerable<DayOfWeek> weekend, IEnumerable<DateOnly> holidays, TimeZoneInfo zone, TimeOnly? dayEndsAt = null)
    {
        _weekend = weekend.ToFrozenSet();
        if (_weekend.Count > 6)
        {
            throw new ArgumentException("A week needs at least one business day.", nameof(weekend));
        }

        _holidays = holidays.ToFrozenSet();
        Zone = zone;
        DayEndsAt = dayEndsAt;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The last cut-off of the day, if any: what is approved at or after it settles from the next day.</summary>
    public TimeOnly? DayEndsAt { get; }

    public bool IsBusinessDay(DateOnly day) => !_weekend.Contains(day.DayOfWeek) && !_holidays.Contains(day);

    /// <summary>The first business day on or after <paramref name="day"/>.</summary>
    public DateOnly BusinessDayFrom(DateOnly day)
    {
        // Bounded: at least one weekday is a business day, and a year of holidays is a finite list.
        while (!IsBusinessDay(day))
        {
            day = day.AddDays(1);
        }

        return day;
    }

    /// <summary>The business day a payment approved at <paramref name="approvedAt"/> settles.</summary>
    public DateOnly SettlementDate(DateTimeOffset approvedAt)
    {
        var local = TimeZoneInfo.ConvertTime(approvedAt, Zone).DateTime;
        var day = DateOnly.FromDateTime(local);
        if (DayEndsAt is { } end && TimeOnly.FromDateTime(local) >= end)
        {
            day = day.AddDays(1);
        }

        return BusinessDayFrom(day);
    }

    /// <summary>
    /// Parses the weekend ("Friday,Saturday", English day names, may be empty) and holidays ("2026-12-18,2027-03-30");
    /// null with the reason when either is malformed.
    /// </summary>
    public static BusinessCalendar? Parse(string? weekend, string? holidays, TimeZoneInfo zone, TimeOnly? dayEndsAt, out string? error)
    {
        error = null;
        var days = new List<DayOfWeek>();
        foreach (var name in Split(weekend))
        {
            if (!Enum.TryParse<DayOfWeek>(name, ignoreCase: true, out var day) || !Enum.IsDefined(day) || name.Any(char.IsDigit))
            {
                error = $"weekend day \"{name}\" is not a day of the week (Monday ... Sunday)";
                return null;
            }

            days.Add(day);
        }

        if (days.Distinct().Count() > 6)
        {
            error = "the weekend cannot be the whole week";
            return null;
        }

        var dates = new List<DateOnly>();
        foreach (var text in Split(holidays))
        {
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                error = $"holiday \"{text}\" is not a date as yyyy-MM-dd";
                return null;
            }

            dates.Add(date);
        }

        if (dates.Count > 1000)
        {
            error = "at most 1000 holidays";
            return null;
        }

        return new BusinessCalendar(days, dates, zone, dayEndsAt);
    }

    private static string[] Split(string? list) => (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
