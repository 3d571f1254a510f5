using System.Globalization;
using System.Text.RegularExpressions;

namespace Switch.Billers.Registry;

/// <summary>The kinds of value a customer parameter holds.</summary>
public enum ParameterType { Text, Digits, Number, Date, Choice }

/// <summary>
/// A value a biller needs from the payer besides the account number (a national id, a vehicle plate, a year): its
/// name, type and limits. <paramref name="Pattern"/> (anchored) further restricts text and digits; <paramref name="Values"/>
/// lists a choice's values.
/// </summary>
public sealed record CustomerParameter(string Name, string NameEn, string NameAr, ParameterType Type, bool Required, int MaxLength, string? Pattern, IReadOnlyList<string> Values)
{
    /// <summary>Why <paramref name="value"/> is not a valid value of this parameter, or null. An absent optional parameter is valid.</summary>
    public string? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return Required ? $"{Name} is required" : null;
        }

        if (value.Length > MaxLength || value.Any(char.IsControl))
        {
            return $"{Name} must be at most {MaxLength} characters, without control characters";
        }

        var typed = Type switch
        {
            ParameterType.Digits => value.All(char.IsAsciiDigit) ? null : $"{Name} must be digits 0-9",
            ParameterType.Number => decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _) ? null : $"{Name} must be a number such as 12.5",
            ParameterType.Date => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? null : $"{Name} must be a date yyyy-MM-dd",
            ParameterType.Choice => Values.Contains(value, StringComparer.Ordinal) ? null : $"{Name} must be one of {string.Join(", ", Values)}",
            _ => null,
        };
        return typed ?? (Pattern is not null && !Regex.IsMatch(value, Pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50))
            ? $"{Name} does not have the form the biller expects" : null);
    }

    /// <summary>The first problem among the values given for <paramref name="parameters"/>, and any value given for no parameter.</summary>
    public static string? Problem(IReadOnlyList<CustomerParameter> parameters, IReadOnlyDictionary<string, string> values)
    {
        foreach (var name in values.Keys)
        {
            if (!parameters.Any(p => p.Name == name))
            {
                return "a value was given for a parameter the biller does not take";
            }
        }

        foreach (var parameter in parameters)
        {
            if (parameter.Problem(values.GetValueOrDefault(parameter.Name)) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }
}
