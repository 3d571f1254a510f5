namespace Switch.Billers.Registry;

/// <summary>International Bank Account Numbers (ISO 13616): the country's length and the mod-97 check.</summary>
public static class Iban
{
    /// <summary>Lengths of the countries the scheme's banks are in; another country is checked for 15 to 34 characters.</summary>
    private static readonly Dictionary<string, int> Lengths = new(StringComparer.Ordinal)
    {
        ["SA"] = 24, ["JO"] = 30, ["AE"] = 23, ["BH"] = 22, ["KW"] = 30, ["QA"] = 29, ["EG"] = 29, ["LB"] = 28, ["IQ"] = 23,
        ["PS"] = 29, ["OM"] = 23, ["GB"] = 22, ["DE"] = 22, ["FR"] = 27, ["TR"] = 26,
    };

    /// <summary>Why <paramref name="iban"/> is not a valid IBAN (upper case, no spaces), or null when it is.</summary>
    public static string? Problem(string? iban)
    {
        if (iban is null || iban.Length is < 15 or > 34 || !iban.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9')
            || !char.IsAsciiLetterUpper(iban[0]) || !char.IsAsciiLetterUpper(iban[1]) || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]))
        {
            return "the IBAN must be 15 to 34 characters of A-Z 0-9 without spaces: a country code, two check digits, the account";
        }

        if (Lengths.TryGetValue(iban[..2], out var length) && iban.Length != length)
        {
            return $"an IBAN of {iban[..2]} has {length} characters";
        }

        return Mod97(iban) == 1 ? null : "the IBAN's check digits do not match its account (mod 97)";
    }

    /// <summary>The IBAN's remainder mod 97 with its first four characters moved to the end and letters as 10 to 35.</summary>
    public static int Mod97(string iban)
    {
        var remainder = 0;
        foreach (var c in iban[4..] + iban[..4])
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
        }

        return remainder;
    }
}
