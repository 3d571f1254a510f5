using System.Globalization;

namespace Switch.Host.Iso;

/// <summary>
/// The date and time fields of a request (7 MMDDhhmmss, 12 hhmmss, 13 MMDD) checked as real dates and times, and
/// field 13 given its year: the one that puts MMDD nearest the switch's own date, so 1231 received on 1 January
/// is last year's. That full date is part of the idempotency key (32 + 37 + 13), so the same RRN and MMDD a year
/// later is a new payment, not a repeat of last year's.
/// </summary>
public static class IsoDates
{
    /// <summary>Field 13 as the date the switch binds it to, or null when 7, 12 (if present) or 13 is not a real date or time.</summary>
    public static DateOnly? LocalDate(string? transmission, string? localTime, string localDate, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (transmission is not null
            && (transmission.Length != 10 || Nearest(transmission.AsSpan(0, 4), today) is null || !IsTime(transmission.AsSpan(4))))
        {
            return null;
        }

        if (localTime is not null && !IsTime(localTime))
        {
            return null;
        }

        return localDate.Length == 4 ? Nearest(localDate, today) : null;
    }

    /// <summary>How the bound date is journaled in the key: YYYYMMDD.</summary>
    public static string KeyText(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The real date with this MMDD nearest <paramref name="today"/> (last, this or next year), or null when there is none.</summary>
    private static DateOnly? Nearest(ReadOnlySpan<char> mmdd, DateOnly today)
    {
        if (!TwoDigits(mmdd[..2], out var month) || !TwoDigits(mmdd[2..], out var day) || month is < 1 or > 12 || day < 1)
        {
            return null;
        }

        DateOnly? nearest = null;
        for (var year = today.Year - 1; year <= today.Year + 1; year++)
        {
            if (day <= DateTime.DaysInMonth(year, month))
            {
                var candidate = new DateOnly(year, month, day);
                if (nearest is null || Math.Abs(candidate.DayNumber - today.DayNumber) < Math.Abs(nearest.Value.DayNumber - today.DayNumber))
                {
                    nearest = candidate;
                }
            }
        }

        return nearest;
    }

    private static bool IsTime(ReadOnlySpan<char> hhmmss) =>
        hhmmss.Length == 6 && TwoDigits(hhmmss[..2], out var hour) && TwoDigits(hhmmss[2..4], out var minute) && TwoDigits(hhmmss[4..], out var second)
        && hour <= 23 && minute <= 59 && second <= 59;

    private static bool TwoDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.Length != 2 || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[1]))
        {
            return false;
        }

        value = ((text[0] - '0') * 10) + (text[1] - '0');
        return true;
    }
}
