using System.Globalization;
using System.Text.RegularExpressions;
using Switch.Billing;
using Switch.Monetary;

namespace Switch.Billers.Registry;

/// <summary>
/// A biller as an operator writes it (REST body, CLI file) and reads it back: text and lists only, amounts as decimal
/// strings in the biller's currency. <see cref="Validate"/> turns it into a <see cref="BillerDefinition"/> or says
/// everything wrong with it at once.
/// </summary>
public sealed record BillerDraft(
    string? Code = null,
    string? NameEn = null,
    string? NameAr = null,
    string? Category = null,
    IReadOnlyList<ServiceDraft>? Services = null,
    string? Presentment = null,
    string? BillFetch = null,
    string? PaymentRule = null,
    string? MinimumPayment = null,
    string? MaximumPayment = null,
    string? Currency = null,
    string? TransactionLimit = null,
    string? AccountPattern = null,
    IReadOnlyList<ParameterDraft>? Parameters = null,
    IReadOnlyList<string>? Channels = null,
    IReadOnlyList<string>? Banks = null,
    int? TimeoutMs = null,
    IReadOnlyList<MaintenanceDraft>? Maintenance = null,
    SettlementAccountDraft? SettlementAccount = null)
{
    public const int MaxServices = 500;
    public const int MaxParameters = 10;
    public const int MaxMaintenanceWindows = 20;
    public const int MaxBanks = 500;

    /// <summary>The longest time a biller's system may take: the bank's 5 s less what journaling and answering need (issue 11).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(3500);

    private static readonly Regex CodeForm = new("^[A-Z0-9]{2,12}$", RegexOptions.CultureInvariant);
    private static readonly Regex ServiceCodeForm = new("^[A-Z0-9_]{1,16}$", RegexOptions.CultureInvariant);
    private static readonly Regex ParameterNameForm = new("^[a-z][A-Za-z0-9]{0,31}$", RegexOptions.CultureInvariant);
    private static readonly Regex ParticipantForm = new("^[A-Za-z0-9]{1,11}$", RegexOptions.CultureInvariant);

    /// <summary>The definition, or every problem found (each names its field; nothing is echoed back but codes).</summary>
    public (BillerDefinition? Definition, IReadOnlyList<string> Problems) Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        Check(Code is not null && CodeForm.IsMatch(Code), "code must be 2 to 12 characters of A-Z 0-9");
        Check(NameProblem(NameEn, arabic: false) is null, $"nameEn {NameProblem(NameEn, arabic: false)}");
        Check(NameProblem(NameAr, arabic: true) is null, $"nameAr {NameProblem(NameAr, arabic: true)}");
        Check(BillerCategories.Find(Category) is not null, $"category must be one of {string.Join(", ", BillerCategories.All.Select(c => c.Code))}");

        var services = new List<BillerService>();
        if (Services is { Count: > MaxServices })
        {
            problems.Add($"services: at most {MaxServices}");
        }
        else
        {
            foreach (var (service, i) in (Services ?? []).Select((s, i) => (s, i)))
            {
                var ok = service is not null && service.Code is not null && ServiceCodeForm.IsMatch(service.Code)
                    && NameProblem(service.NameEn, false) is null && NameProblem(service.NameAr, true) is null;
                Check(ok, $"services[{i}] needs a code (1 to 16 of A-Z 0-9 _), nameEn and nameAr (1 to 100 characters, nameAr in Arabic)");
                if (ok)
                {
                    Check(services.All(s => s.Code != service!.Code), $"services[{i}]: the code {service!.Code} is given twice");
                    services.Add(new BillerService(service!.Code!, service.NameEn!.Trim(), service.NameAr!.Trim()));
                }
            }
        }

        var mode = ParseEnum<PresentmentMode>(Presentment);
        Check(mode is not null, "presentment must be hosted, online or prepaid");
        var fetch = ParseEnum<BillFetch>(BillFetch);
        Check(fetch is not null, "billFetch must be mandatory, optional or not_supported");
        Check(!(mode == PresentmentMode.Prepaid && fetch == Switch.Billing.BillFetch.Mandatory), "billFetch: a prepaid biller presents no bill to fetch");
        Check(!(mode is PresentmentMode.Hosted or PresentmentMode.Online && fetch == Switch.Billing.BillFetch.NotSupported),
            "billFetch: a hosted or online biller presents bills, so fetching is mandatory or optional");
        var rule = ParseEnum<PaymentRule>(PaymentRule);
        Check(rule is not null, "paymentRule must be EXACT, PARTIAL, OVERPAY or ANY");
        Check(!(mode == PresentmentMode.Prepaid && rule is not null && rule != Switch.Billing.PaymentRule.Any), "paymentRule: a prepaid biller has no bill to compare with, so ANY");

        var currency = Monetary.Currency.FromAlpha(Currency);
        Check(currency is not null, "currency must be one the switch settles (SAR, JOD, SYP)");
        Money? limit = null, minimum = null, maximum = null;
        if (currency is not null)
        {
            limit = Amount("transactionLimit", TransactionLimit, currency, required: true, problems);
            minimum = Amount("minimumPayment", MinimumPayment, currency, required: rule == Switch.Billing.PaymentRule.Partial, problems);
            maximum = Amount("maximumPayment", MaximumPayment, currency, required: rule == Switch.Billing.PaymentRule.Overpay, problems);
            Check(minimum is null || rule == Switch.Billing.PaymentRule.Partial, "minimumPayment applies to PARTIAL only");
            Check(maximum is null || rule == Switch.Billing.PaymentRule.Overpay, "maximumPayment applies to OVERPAY only");
            Check(limit is null || minimum is null || minimum <= limit, "minimumPayment must not be above transactionLimit");
            Check(limit is null || maximum is null || maximum <= limit, "maximumPayment must not be above transactionLimit");
        }

        Check(PatternProblem(AccountPattern) is null, $"accountPattern {PatternProblem(AccountPattern)}");

        var parameters = new List<CustomerParameter>();
        if (Parameters is { Count: > MaxParameters })
        {
            problems.Add($"parameters: at most {MaxParameters}");
        }
        else
        {
            foreach (var (parameter, i) in (Parameters ?? []).Select((p, i) => (p, i)))
            {
                if (ParameterProblem(parameter) is { } problem)
                {
                    problems.Add($"parameters[{i}] {problem}");
                }
                else if (parameters.Any(p => p.Name == parameter.Name))
                {
                    problems.Add($"parameters[{i}]: the name {parameter.Name} is given twice");
                }
                else
                {
                    parameters.Add(new CustomerParameter(parameter.Name!, parameter.NameEn!.Trim(), parameter.NameAr!.Trim(), ParseEnum<ParameterType>(parameter.Type)!.Value,
                        parameter.Required ?? true, parameter.MaxLength ?? 64, parameter.Pattern, parameter.Values ?? []));
                }
            }
        }

        var channels = new List<Channel>();
        Check(Channels is { Count: > 0 }, "channels: at least one of ATM, IB, MB, BR, POS, KSK");
        foreach (var channel in Channels ?? [])
        {
            var parsed = channel is { Length: >= 2 and <= 3 } && channel.All(char.IsAsciiLetterUpper) && Enum.TryParse<Channel>(channel, ignoreCase: true, out var c) ? c : (Channel?)null;
            Check(parsed is not null, "channels: each is one of ATM, IB, MB, BR, POS, KSK");
            Check(parsed is null || !channels.Contains(parsed.Value), "channels: a channel is given twice");
            if (parsed is { } p && !channels.Contains(p))
            {
                channels.Add(p);
            }
        }

        Check(Banks is null || Banks.Count <= MaxBanks, $"banks: at most {MaxBanks}");
        Check((Banks ?? []).All(b => b is not null && ParticipantForm.IsMatch(b)), "banks: each is a bank's code (1 to 11 letters or digits)");
        Check((Banks ?? []).Distinct().Count() == (Banks ?? []).Count, "banks: a bank is given twice");

        Check(TimeoutMs is null || (TimeoutMs >= 100 && TimeoutMs <= MaxTimeout.TotalMilliseconds),
            $"timeoutMs must be 100 to {MaxTimeout.TotalMilliseconds:0} (of the bank's 5 s, the rest is the switch's to journal and answer)");

        var windows = new List<MaintenanceWindow>();
        if (Maintenance is { Count: > MaxMaintenanceWindows })
        {
            problems.Add($"maintenance: at most {MaxMaintenanceWindows} windows");
        }
        else
        {
            foreach (var (window, i) in (Maintenance ?? []).Select((w, i) => (w, i)))
            {
                var ok = window is { From: { } from, Until: { } until } && from < until && until - from <= TimeSpan.FromDays(7)
                    && (window.Reason is null || NameProblem(window.Reason, false, 200) is null);
                Check(ok, $"maintenance[{i}] needs from before until (at most 7 days apart, ISO 8601 with offset) and a reason of at most 200 characters");
                if (ok)
                {
                    windows.Add(new MaintenanceWindow(window!.From!.Value, window.Until!.Value, window.Reason?.Trim()));
                }
            }
        }

        if (SettlementAccount is not null)
        {
            Check(Iban.Problem(SettlementAccount.Iban) is null, $"settlementAccount.iban: {Iban.Problem(SettlementAccount.Iban)}");
            Check(SettlementAccount.Bank is not null && ParticipantForm.IsMatch(SettlementAccount.Bank), "settlementAccount.bank is a bank's code (1 to 11 letters or digits)");
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new BillerDefinition(Code!, NameEn!.Trim(), NameAr!.Trim(), Category!, services, mode!.Value, fetch!.Value, rule!.Value, minimum, maximum,
            currency!, limit!.Value, AccountPattern!, parameters, channels, [.. Banks ?? []],
            TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, windows), problems);
    }

    /// <summary>The draft of a stored definition, as GET returns it (no settlement account: that is shown apart).</summary>
    public static BillerDraft From(BillerDefinition d) => new(
        d.Code, d.NameEn, d.NameAr, d.Category, [.. d.Services.Select(s => new ServiceDraft(s.Code, s.NameEn, s.NameAr))],
        Name(d.Mode), Name(d.Fetch), d.Rule.ToString().ToUpperInvariant(), d.MinimumPayment?.Format(), d.MaximumPayment?.Format(), d.Currency.Alpha,
        d.TransactionLimit.Format(), d.AccountPattern,
        [.. d.Parameters.Select(p => new ParameterDraft(p.Name, p.NameEn, p.NameAr, Name(p.Type), p.Required, p.MaxLength, p.Pattern, p.Values))],
        [.. d.Channels.Select(c => c.ToString().ToUpperInvariant())], d.Banks, d.Timeout is { } t ? (int)t.TotalMilliseconds : null,
        [.. d.Maintenance.Select(w => new MaintenanceDraft(w.From, w.Until, w.Reason))]);

    /// <summary>An enum value as the registry spells it: lower case, words joined by _ (not_supported).</summary>
    public static string Name<T>(T value) where T : struct, Enum =>
        Regex.Replace(value.ToString(), "(?<=[a-z])([A-Z])", "_$1", RegexOptions.CultureInvariant).ToLowerInvariant();

    private static T? ParseEnum<T>(string? text) where T : struct, Enum =>
        text is { Length: > 0 and <= 20 } && text.All(c => char.IsAsciiLetter(c) || c == '_')
        && Enum.TryParse<T>(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value : null;

    private static Money? Amount(string field, string? text, Currency currency, bool required, List<string> problems)
    {
        if (text is null)
        {
            if (required)
            {
                problems.Add($"{field} is required here");
            }

            return null;
        }

        if (text.Length > 32 || Money.TryParse(text, currency, out var money) != AmountProblem.None || !money.IsPositive)
        {
            problems.Add($"{field} must be a positive decimal string in {currency.Alpha} with at most {currency.Decimals} decimals, such as \"100.00\"");
            return null;
        }

        return money;
    }

    private static string? NameProblem(string? name, bool arabic, int max = 100)
    {
        if (name is null || name.Trim().Length == 0 || name.Length > max || name.Any(char.IsControl))
        {
            return $"must be 1 to {max} characters without control characters";
        }

        return arabic && !name.Any(c => c is >= '\u0620' and <= '\u064A') ? "must be written in Arabic" : null;
    }

    private static string? PatternProblem(string? pattern)
    {
        if (pattern is null || pattern.Length is < 3 or > 200 || pattern.Any(char.IsControl) || !pattern.StartsWith('^') || !pattern.EndsWith('$'))
        {
            return "must be a regular expression of 3 to 200 characters anchored with ^ and $, such as ^[0-9]{10}$";
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
            return null;
        }
        catch (ArgumentException)
        {
            return "is not a valid regular expression";
        }
    }

    private static string? ParameterProblem(ParameterDraft? p)
    {
        if (p is null || p.Name is null || !ParameterNameForm.IsMatch(p.Name) || p.Name == "accountNumber")
        {
            return "needs a name of 1 to 32 letters or digits starting with a-z (not accountNumber)";
        }

        if (NameProblem(p.NameEn, false) is not null || NameProblem(p.NameAr, true) is not null)
        {
            return "needs nameEn and nameAr (1 to 100 characters, nameAr in Arabic) to show the payer";
        }

        if (ParseEnum<ParameterType>(p.Type) is not { } type)
        {
            return "type must be text, digits, number, date or choice";
        }

        if (p.MaxLength is < 1 or > 99)
        {
            return "maxLength must be 1 to 99";
        }

        if (p.Pattern is not null && (type is ParameterType.Choice or ParameterType.Date || PatternProblem(p.Pattern) is not null))
        {
            return "pattern applies to text, digits and number, anchored with ^ and $, and must be valid";
        }

        var values = p.Values ?? [];
        if (type == ParameterType.Choice
            ? values.Count is < 1 or > 50 || values.Any(v => v is null || v.Length is < 1 or > 40 || v.Any(char.IsControl)) || values.Distinct().Count() != values.Count
            : values.Count > 0)
        {
            return "values (1 to 50 distinct values of 1 to 40 characters) are for the choice type only, and required there";
        }

        return null;
    }
}

public sealed record ServiceDraft(string? Code, string? NameEn, string? NameAr);

public sealed record ParameterDraft(
    string? Name, string? NameEn, string? NameAr, string? Type, bool? Required = null, int? MaxLength = null, string? Pattern = null, IReadOnlyList<string>? Values = null);

public sealed record MaintenanceDraft(DateTimeOffset? From, DateTimeOffset? Until, string? Reason = null);

public sealed record SettlementAccountDraft(string? Iban, string? Bank);
