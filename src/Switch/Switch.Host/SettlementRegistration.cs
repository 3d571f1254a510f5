using Switch.Adapters.Postgres;
using Switch.Settlement;
using Switch.Settlement.Cutoffs;

namespace Switch.Host;

/// <summary>Settlement's services: the windows' store, and the cut-off schedule (checked at start: a malformed one stops the host).</summary>
public static class SettlementRegistration
{
    public static void AddSettlement(this WebApplicationBuilder builder, SwitchOptions options)
    {
        builder.Services.AddSingleton<PostgresSettlementWindows>();
        builder.Services.AddSingleton(_ => new SettlementCutoffs(Schedule(options.Settlement)));
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
