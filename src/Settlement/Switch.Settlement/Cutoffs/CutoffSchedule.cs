using System.Globalization;

namespace Switch.Settlement.Cutoffs;

/// <summary>
/// When settlement windows close: local times of day in one time zone, several a day allowed. A cut-off fires at the
/// first instant at which the local clock shows its time or later, once per local date: on a day the clock jumps past it
/// (daylight saving starts) it fires when the clock jumps; on a day the clock shows it twice (daylight saving ends) it
/// fires the first time. Pure: the caller says what time it is.
/// </summary>
public sealed class CutoffSchedule
{
    private readonly TimeOnly[] _times;

    public CutoffSchedule(IEnumerable<TimeOnly> times, TimeZoneInfo zone)
    {
        _times = [.. times.Distinct().Order()];
        if (_times.Length == 0)
        {
            throw new ArgumentException("A cut-off schedule needs at least one time of day.", nameof(times));
        }

        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    public IReadOnlyList<TimeOnly> Times => _times;

    /// <summary>
    /// Parses "HH:mm[,HH:mm...]" and an IANA (or Windows) time zone id; null with the reason when either is malformed.
    /// </summary>
    public static CutoffSchedule? Parse(string? times, string? zone, out string? error)
    {
        error = null;
        var parsed = new List<TimeOnly>();
        foreach (var part in (times ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Length != 5 || !TimeOnly.TryParseExact(part, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            {
                error = $"cut-off \"{part}\" is not a time of day as HH:mm";
                return null;
            }

            parsed.Add(time);
        }

        if (parsed.Count is 0 or > 48)
        {
            error = "cut-offs are 1 to 48 times of day as HH:mm, separated by commas";
            return null;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone ?? "", out var found))
        {
            error = $"time zone \"{zone}\" is not known";
            return null;
        }

        return new CutoffSchedule(parsed, found);
    }

    /// <summary>The first cut-off strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, Zone).DateTime);
        // A cut-off of the local day before can still lie ahead in UTC terms only around a jump of the clock; the day
        // after always has one, so three days cover every case.
        for (var day = today.AddDays(-1); ; day = day.AddDays(1))
        {
            foreach (var time in _times)
            {
                var at = FiresAt(day, time);
                if (at > after)
                {
                    return at;
                }
            }
        }
    }

    /// <summary>The instant the cut-off of <paramref name="time"/> on local date <paramref name="day"/> fires.</summary>
    public DateTimeOffset FiresAt(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (Zone.IsAmbiguousTime(local))
        {
            // Shown twice: the first time is the one with the larger offset (still on summer time).
            var first = Zone.GetAmbiguousTimeOffsets(local).Max();
            return new DateTimeOffset(local, first).ToUniversalTime();
        }

        if (!Zone.IsInvalidTime(local))
        {
            return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
        }

        // Skipped: the clock jumps from before it to after it. The jump lies between the instant this time would be
        // under the offset after the jump and under the offset before it; find it to the minute (clocks jump on minutes).
        var early = new DateTimeOffset(local.AddDays(-1), Zone.GetUtcOffset(local.AddDays(-1))).Offset;
        var late = new DateTimeOffset(local.AddDays(1), Zone.GetUtcOffset(local.AddDays(1))).Offset;
        var from = new DateTimeOffset(local - (early > late ? early : late), TimeSpan.Zero);
        var to = new DateTimeOffset(local - (early > late ? late : early), TimeSpan.Zero);
        var utc = new DateTimeOffset(from.Ticks - from.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        while (utc < to && TimeZoneInfo.ConvertTime(utc, Zone).DateTime < local)
        {
            utc = utc.AddMinutes(1);
        }

        return utc;
    }
}
