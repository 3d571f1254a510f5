using Switch.Adapters.Postgres;
using Switch.Settlement;
using Switch.Settlement.Calendar;
using Switch.Settlement.Cutoffs;

namespace Switch.Host;

/// <summary>Settlement's services: the windows' store, and the cut-off schedule (checked at start: a malformed one stops the host).</summary>
public static class SettlementRegistration
{
    public static void AddSettlement(this WebApplicationBuilder builder, SwitchOptions options)
    {
        builder.Services.AddSingleton<PostgresSettlementWindows>();
        var schedule = Schedule(options.Settlement);
        builder.Services.AddSingleton(new SettlementCutoffs(schedule));
        builder.Services.AddSingleton(Calendar(options.Settlement, schedule));
    }

    private static BusinessCalendar Calendar(SettlementSettings settings, CutoffSchedule? schedule)
    {
        var zone = schedule?.Zone ?? (TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out var found)
            ? found : throw new InvalidOperationException($"Switch:Settlement: time zone \"{settings.TimeZone}\" is not known"));
        return BusinessCalendar.Parse(settings.Weekend, settings.Holidays, zone, schedule?.Times[^1], out var error)
            ?? throw new InvalidOperationException($"Switch:Settlement: {error}");
    }

    private static CutoffSchedule? Schedule(SettlementSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Cutoffs))
        {
            return null;
        }

        return CutoffSchedule.Parse(settings.Cutoffs, settings.TimeZone, out var error)
            ?? throw new InvalidOperationException($"Switch:Settlement: {error}");
    }
}

/// <summary>The configured cut-offs, or none (windows close on demand only).</summary>
public sealed record SettlementCutoffs(CutoffSchedule? Schedule);
