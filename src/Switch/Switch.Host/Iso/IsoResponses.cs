using Switch.Adapters.Iso8583;

namespace Switch.Host.Iso;

/// <summary>How the spec shapes answers: which MTIs are requests, and what a response echoes.</summary>
public static class IsoResponses
{
    /// <summary>Fields a response carries over from its request (spec: "A response echoes ...").</summary>
    private static readonly int[] EchoedFields = [3, 4, 7, 11, 12, 13, 32, 37, 41, 49, 70];

    /// <summary>Requests and advices (function digit 0 or 2) expect an answer; responses and notifications do not.</summary>
    public static bool IsRequest(int mti) => (mti / 10 % 10) is 0 or 2;

    /// <summary>0100 → 0110, 0200 → 0210, 0420 and its repeat 0421 → 0430, 0800 → 0810.</summary>
    public static string ResponseMti(int mti) => ((mti / 10 * 10) + 10).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The answer to an unreadable message: its response MTI and field 39 only, as the spec says.</summary>
    public static IsoMessage FormatError(int mti) => new IsoMessage(ResponseMti(mti)).Set(39, ResponseCodes.FormatError);

    /// <summary>
    /// What to send when a response cannot be packed, best first: 96 with the echoed fields; should one of them be
    /// what failed, 96 with the two the bank matches responses on (11 and 37); else the MTI and 39 alone.
    /// </summary>
    public static IEnumerable<IsoMessage> Malfunction(IsoMessage unpackable)
    {
        yield return Copy(unpackable, EchoedFields).Set(39, ResponseCodes.SystemMalfunction);
        yield return Copy(unpackable, [11, 37]).Set(39, ResponseCodes.SystemMalfunction);
        yield return new IsoMessage(unpackable.Mti).Set(39, ResponseCodes.SystemMalfunction);
    }

    private static IsoMessage Copy(IsoMessage message, int[] fields)
    {
        var copy = new IsoMessage(message.Mti);
        foreach (var field in fields)
        {
            if (message.GetString(field) is { } value)
            {
                copy.Set(field, value);
            }
        }

        return copy;
    }

    /// <summary>The response to a request: the echoed fields, 48's BC and AN, and field 39.</summary>
    public static IsoMessage To(IsoMessageView request, string responseCode)
    {
        var response = new IsoMessage(ResponseMti(request.Mti));
        foreach (var field in EchoedFields)
        {
            if (request.Has(field))
            {
                response.Set(field, request.GetString(field)!);
            }
        }

        if (request.GetString(48) is { } field48 && Field48.Parse(field48).Where(e => e.Key is "BC" or "AN").ToList() is { Count: > 0 } echoed)
        {
            response.Set(48, Field48.Build(echoed));
        }

        return response.Set(39, responseCode);
    }
}
