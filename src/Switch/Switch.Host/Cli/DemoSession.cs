using System.Diagnostics;
using Spectre.Console;
using Switch.Adapters.Iso8583;

namespace Switch.Host.Cli;

/// <summary>
/// A short scripted ISO 8583 session against a running switch, as two member banks' hosts would drive it:
/// sign-on, echo, inquiry, payment, the errors the spec defines, MAC, sign-off. Prints one row per exchange.
/// </summary>
public sealed class DemoSession(string host, int port, string plainBank, string macBank, byte[] macKey)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly Table _table = new Table().AddColumns("#", "bank", "step", "request", "answer", "meaning", "ms");
    private int _stan;

    /// <summary>Runs the script; returns the number of answers that were not what the spec says they should be.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var surprises = 0;
        // A random seeded electricity account, so repeated demos find an unpaid bill.
        var account = Random.Shared.Next(3, 30_001).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        await using (var bank = await IsoClient.ConnectAsync(host, port, cancellationToken: cancellationToken))
        {
            surprises += await Step(bank, plainBank, "payment before sign-on", Payment(plainBank, account, 100), "91", cancellationToken);
            surprises += await Step(bank, plainBank, "sign-on", Network(plainBank, "001"), "00", cancellationToken);
            surprises += await Step(bank, plainBank, "echo", Network(plainBank, "301"), "00", cancellationToken);
            var (inquiryCode, inquiry) = await Exchange(bank, plainBank, "bill inquiry", Inquiry(plainBank, "ELECT", account), "00", cancellationToken);
            surprises += inquiryCode;
            var due = inquiry is not null && Field48.Find(inquiry.GetString(48) ?? "", "DA") is { } da ? long.Parse(da, System.Globalization.CultureInfo.InvariantCulture) : 1;
            surprises += await Step(bank, plainBank, "amount other than the one due", Payment(plainBank, account, due + 1), "13", cancellationToken);
            var payment = Payment(plainBank, account, due);
            surprises += await Step(bank, plainBank, "payment of the amount due", payment, "00", cancellationToken);
            surprises += await Step(bank, plainBank, "the same payment repeated", payment, "00", cancellationToken);
            surprises += await Step(bank, plainBank, "same key, other amount", SameKey(payment, Payment(plainBank, account, due + 100)), "94", cancellationToken);
            surprises += await Step(bank, plainBank, "paying the paid bill again", Payment(plainBank, account, due), "B1", cancellationToken);
            surprises += await Step(bank, plainBank, "reversal of the payment", BankRequests.Reversal(payment, Interlocked.Increment(ref _stan), DateTime.UtcNow), "00", cancellationToken);
            surprises += await Step(bank, plainBank, "reversal repeated (0421)", BankRequests.Reversal(payment, Interlocked.Increment(ref _stan), DateTime.UtcNow, repeat: true), "00", cancellationToken);
            surprises += await Step(bank, plainBank, "the bill is due again: paid", Payment(plainBank, account, due), "00", cancellationToken);
            surprises += await Step(bank, plainBank, "unknown biller", Payment(plainBank, account, due, biller: "NOSUCH"), "92", cancellationToken);
            surprises += await Step(bank, plainBank, "payment as another bank", Payment(macBank, account, due), "63", cancellationToken);
            surprises += await MalformedStep(bank, cancellationToken);
            surprises += await Step(bank, plainBank, "echo after the format error", Network(plainBank, "301"), "00", cancellationToken);
            surprises += await Step(bank, plainBank, "sign-off", Network(plainBank, "002"), "00", cancellationToken);
        }

        await using (var bank = await IsoClient.ConnectAsync(host, port, cancellationToken: cancellationToken))
        {
            surprises += await Step(bank, macBank, "sign-on without MAC", Network(macBank, "001"), "63", cancellationToken);
            bank.MacKey = macKey;
            surprises += await Step(bank, macBank, "sign-on with MAC", Network(macBank, "001"), "00", cancellationToken);
            surprises += await Step(bank, macBank, "traffic fine: bank not enrolled", Inquiry(macBank, "TRAFFIC", account), "57", cancellationToken);
            bank.MacKey = [.. macKey.Select(b => (byte)(b ^ 0xFF))];
            surprises += await Step(bank, macBank, "echo with a wrong key", Network(macBank, "301"), "63", cancellationToken);
            bank.MacKey = macKey;
            surprises += await Step(bank, macBank, "sign-off", Network(macBank, "002"), "00", cancellationToken);
        }

        if (Console.IsOutputRedirected)
        {
            // Logs and pipes have no terminal width; keep rows on one line.
            AnsiConsole.Profile.Width = 160;
        }

        AnsiConsole.Write(_table);
        AnsiConsole.MarkupLine(surprises == 0
            ? "[green]Every answer was the one the spec asks for.[/]"
            : $"[red]{surprises} answer(s) differed from the spec.[/]");
        return surprises;
    }

    private async Task<int> Step(IsoClient bank, string bankCode, string step, IsoMessage request, string expected, CancellationToken cancellationToken) =>
        (await Exchange(bank, bankCode, step, request, expected, cancellationToken)).Surprise;

    private async Task<(int Surprise, IsoMessageView? Response)> Exchange(
        IsoClient bank, string bankCode, string step, IsoMessage request, string expected, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        IsoMessageView? response = null;
        string answer;
        try
        {
            response = await bank.SendAsync(request, Timeout, cancellationToken);
            answer = $"{response.MtiText} 39={response.GetString(39)}{Highlights(response)}";
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            answer = e is TimeoutException ? "no answer" : "connection closed";
        }

        var code = response?.GetString(39);
        AddRow(bankCode, step, Summary(request, bank.MacKey is not null), answer, code, expected, clock.Elapsed);
        return (code == expected ? 0 : 1, response);
    }

    /// <summary>The parts of field 48 a person wants to see: amount due, switch reference.</summary>
    private static string Highlights(IsoMessageView response)
    {
        if (response.GetString(48) is not { } field48)
        {
            return "";
        }

        var tags = Field48.Parse(field48);
        return string.Concat(tags.Where(t => t.Key is "DA" or "SR").Select(t => $" {t.Key}={t.Value}"));
    }

    private async Task<int> MalformedStep(IsoClient bank, CancellationToken cancellationToken)
    {
        // A payment whose amount holds letters: the MTI is readable, so the spec wants 0210 with 39=30 and the line kept.
        var clock = Stopwatch.StartNew();
        const string Request = "0200 3=500000 4=00000000000A";
        byte[] bytes = [.. "0200"u8, .. Convert.FromHexString("3000000000000000"), .. "500000"u8, .. "00000000000A"u8];
        await bank.SendMessageBytesAsync(bytes, cancellationToken);
        var response = await bank.ReceiveUnmatchedAsync(Timeout, cancellationToken);
        var code = response.GetString(39);
        AddRow(plainBank, "payment with letters in the amount", Request, $"{response.MtiText} 39={code}", code, ResponseCodes.FormatError, clock.Elapsed);
        return code == ResponseCodes.FormatError ? 0 : 1;
    }

    private void AddRow(string bankCode, string step, string request, string answer, string? code, string expected, TimeSpan elapsed)
    {
        var meaning = code == expected ? ResponseCodes.Describe(code) : $"[red]expected {expected}[/] {Markup.Escape(ResponseCodes.Describe(code))}";
        _table.AddRow(
            (_table.Rows.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            bankCode,
            Markup.Escape(step),
            Markup.Escape(request),
            Markup.Escape(answer),
            code == expected ? Markup.Escape(meaning) : meaning,
            elapsed.TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The fields that tell the steps apart; the full messages are in the switch's log.</summary>
    private static string Summary(IsoMessage request, bool withMac) =>
        string.Join(' ', new[] { 3, 4, 70 }.Where(request.Has).Select(f => $"{f}={request.GetString(f)}").Prepend(request.Mti))
        + (withMac ? " +MAC" : "");

    private IsoMessage Network(string bankCode, string code) => Stamp(BankRequests.Network(bankCode, code));

    private IsoMessage Inquiry(string bankCode, string biller, string account) => Stamp(BankRequests.Inquiry(bankCode, biller, account, "IB"));

    private IsoMessage Payment(string bankCode, string account, long amount, string biller = "ELECT") =>
        Stamp(BankRequests.Payment(bankCode, biller, account, amount));

    /// <summary>The second message under the first one's idempotency key (32, 37, 13) and trace number.</summary>
    private static IsoMessage SameKey(IsoMessage first, IsoMessage second)
    {
        foreach (var field in new[] { 7, 11, 12, 13, 37 })
        {
            second.Set(field, first.GetString(field)!);
        }

        return second;
    }

    private IsoMessage Stamp(IsoMessage message)
    {
        var now = DateTime.UtcNow;
        var stan = Interlocked.Increment(ref _stan);
        return message.Stamp(stan, $"DEMO{now:HHmmss}{stan:D2}", now);
    }
}
