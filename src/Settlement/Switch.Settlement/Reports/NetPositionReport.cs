using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Switch.Settlement.Netting;

namespace Switch.Settlement.Reports;

/// <summary>
/// The net positions of a closed window as CSV or JSON: one line per participant (debit, credit, net in the currency's
/// units), and the totals that prove the window balances (debits equal credits, nets sum to zero).
/// </summary>
public static class NetPositionReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Csv(long windowId, WindowNetting netting)
    {
        var csv = new StringBuilder("window,currency,participant_kind,participant,debit,credit,net\n");
        var window = windowId.ToString(CultureInfo.InvariantCulture);
        foreach (var position in netting.Positions)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{window},{netting.Currency.Alpha},{position.Participant.Kind},{position.Participant.Code},{position.Debit.Format()},{position.Credit.Format()},{position.Net.Format()}\n");
        }

        csv.Append(CultureInfo.InvariantCulture,
            $"{window},{netting.Currency.Alpha},total,,{netting.TotalDebit.Format()},{netting.TotalCredit.Format()},{netting.NetSum.Format()}\n");
        return csv.ToString();
    }

    public static string Json(long windowId, WindowNetting netting) => JsonSerializer.Serialize(Body(windowId, netting), JsonOptions);

    public static NetPositionsBody Body(long windowId, WindowNetting netting) => new(
        windowId.ToString(CultureInfo.InvariantCulture), netting.Currency.Alpha,
        [.. netting.Positions.Select(p => new NetPositionBody(p.Participant.Kind, p.Participant.Code, p.Debit.Format(), p.Credit.Format(), p.Net.Format()))],
        new NetTotalsBody(netting.TotalDebit.Format(), netting.TotalCredit.Format(), netting.NetSum.Format()));
}

public sealed record NetPositionsBody(string WindowId, string Currency, IReadOnlyList<NetPositionBody> Positions, NetTotalsBody Totals);

public sealed record NetPositionBody(string Kind, string Participant, string Debit, string Credit, string Net);

public sealed record NetTotalsBody(string Debit, string Credit, string NetSum);
