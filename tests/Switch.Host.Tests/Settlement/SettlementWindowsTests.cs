using System.Net;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Host.Cli;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Rest;
using Switch.Monetary;
using Switch.Settlement.Reports;
using Switch.Settlement.Windows;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Settlement;

public sealed class SettlementHost : HostFixture
{
    public NpgsqlDataSource Postgres => Service<NpgsqlDataSource>();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Switch:Positions:CapRefresh", "00:00:01")];
}

/// <summary>
/// The central bank's windows through the running switch. These tests pay in JOD through billers of their own, a
/// currency no other test approves payments in (the journal's own tests use SYP), so closing and settling its windows
/// moves nobody else's position.
/// </summary>
public class SettlementWindowsTests(SettlementHost host) : IClassFixture<SettlementHost>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly Currency Jod = Currency.FromAlpha("JOD")!;

    private PostgresSettlementWindows Windows => host.Service<PostgresSettlementWindows>();

    /// <summary>A prepaid JOD biller and a bank enrolled with it.</summary>
    private async Task<(string Bank, string Biller)> JodBankAsync(long cap)
    {
        var biller = $"JO{Random.Shared.Next(10_000_000, 99_999_999)}";
        await host.Postgres.Scalar<int>("""
            insert into billers (code, name_en, name_ar, category, currency, presentment, payment_rule, transaction_limit, account_pattern, channels)
            values ($1, 'Jordanian top-up', 'شحن', 'telecom', 400, 'prepaid', 'any', 10000000, '^05[0-9]{8}$', '{ATM,IB,MB}') returning 1
            """, biller);
        return (await TestData.Bank(host.Postgres, cap), biller);
    }

    private static async Task<string> PayAsync(Adapters.Iso8583.IsoClient bank, string bankCode, string biller, long amount) =>
        (await bank.SendAsync(Payment(bankCode, "0512345678", amount, biller, "MB", "400"), Wait)).GetString(39)!;

    [Fact]
    public async Task Net_debit_cap_used_in_a_window_is_released_when_it_is_settled_and_not_when_it_closes()
    {
        var (bankCode, biller) = await JodBankAsync(cap: 5_000);
        await using var bank = await host.SignedOnAsync(bankCode);
        var first = new[] { await PayAsync(bank, bankCode, biller, 1_500), await PayAsync(bank, bankCode, biller, 1_500), await PayAsync(bank, bankCode, biller, 1_500) };
        var overCap = await PayAsync(bank, bankCode, biller, 1_500);

        var close = await Windows.CloseAsync(Jod, ClosedBy.Demand, AuditActor.CommandLine(), CancellationToken.None);
        var whileClosed = await PayAsync(bank, bankCode, biller, 1_500);
        // A refresh of the bank's position after the close (what the settlement makes happen) still finds it used.
        await CapChange.SetAsync(host.Service<PostgresPositionSource>(), bankCode, 5_000, AuditActor.CommandLine(), Wait, TimeProvider.System, CancellationToken.None);
        var afterRefresh = await PayAsync(bank, bankCode, biller, 1_500);

        using var centralBank = new RestClient(host.HttpPort, await RestBanks.CreateKey(host.Postgres, "central_bank"));
        var settled = await centralBank.PostAsync($"settlement/windows/{close.WindowId}/confirm");
        var afterSettlement = await PollAsync(() => PayAsync(bank, bankCode, biller, 4_000), "00");

        Assert.Equal(["00", "00", "00"], first);
        Assert.Equal(["51", "51", "51"], new[] { overCap, whileClosed, afterRefresh });
        Assert.Equal((HttpStatusCode.OK, "settled"), (settled.Status, settled["state"]));
        Assert.Equal("00", afterSettlement);
        Assert.Equal((4_000L, 0L), await host.PositionWhenSettledAsync(bankCode));
    }

    [Fact]
    public async Task Central_bank_closes_confirms_and_aborts_over_rest_and_out_of_turn_changes_are_problems()
    {
        using var centralBank = new RestClient(host.HttpPort, await RestBanks.CreateKey(host.Postgres, "central_bank"));
        using var aBank = new RestClient(host.HttpPort, RestBanks.PlainKey);

        var closed = await centralBank.PostAsync("settlement/windows/close?currency=JOD");
        var windowId = closed["windowId"]!;
        var openId = closed["nextWindowId"]!;
        var confirmOpen = await centralBank.PostAsync($"settlement/windows/{openId}/confirm");
        var unknown = await centralBank.PostAsync("settlement/windows/999999999999/abort");
        var malformed = await centralBank.PostAsync("settlement/windows/12ab/confirm");
        var badCurrency = await centralBank.PostAsync("settlement/windows/close?currency=XXX");
        var byBank = await aBank.PostAsync($"settlement/windows/{windowId}/confirm");
        var confirmed = await centralBank.PostAsync($"settlement/windows/{windowId}/confirm");
        var abortSettled = await centralBank.PostAsync($"settlement/windows/{windowId}/abort");
        var list = await centralBank.GetAsync("settlement/windows");

        Assert.Equal(HttpStatusCode.OK, closed.Status);
        Assert.Equal((HttpStatusCode.Conflict, "12", "application/problem+json"), (confirmOpen.Status, confirmOpen.Code, confirmOpen.ContentType));
        Assert.Contains("open", confirmOpen["detail"]);
        Assert.Equal((HttpStatusCode.NotFound, "12"), (unknown.Status, unknown.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "30"), (malformed.Status, malformed.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "30"), (badCurrency.Status, badCurrency.Code));
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (byBank.Status, byBank.Code));
        Assert.Equal((HttpStatusCode.OK, "settled"), (confirmed.Status, confirmed["state"]));
        Assert.Equal((HttpStatusCode.Conflict, "12"), (abortSettled.Status, abortSettled.Code));
        Assert.Contains("already settled", abortSettled["detail"]);
        var windows = list.Json.AsArray();
        Assert.Equal("settled", windows.Single(w => w!["windowId"]!.GetValue<string>() == windowId)!["state"]!.GetValue<string>());
        Assert.Equal("open", windows.Single(w => w!["windowId"]!.GetValue<string>() == openId)!["state"]!.GetValue<string>());
        Assert.Equal(2L, await host.Postgres.Scalar<long>(
            "select count(*) from audit_log where subject = 'window:' || $1 and role = 'central_bank' and api_key_id is not null", windowId));
    }

    [Fact]
    public async Task Command_line_change_out_of_turn_exits_non_zero_with_its_reason_and_changes_nothing()
    {
        var close = await Windows.CloseAsync(Jod, ClosedBy.Demand, AuditActor.CommandLine(), CancellationToken.None);
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var confirmOpen = await SettlementCommand.ChangeAsync(Windows, close.NextWindowId, WindowAction.Confirm, AuditActor.CommandLine(), output, errors, CancellationToken.None);
        var unknown = await SettlementCommand.ChangeAsync(Windows, 999_999_999_999, WindowAction.Abort, AuditActor.CommandLine(), output, errors, CancellationToken.None);
        var abort = await SettlementCommand.ChangeAsync(Windows, close.WindowId, WindowAction.Abort, AuditActor.CommandLine(), output, errors, CancellationToken.None);
        var confirmAborted = await SettlementCommand.ChangeAsync(Windows, close.WindowId, WindowAction.Confirm, AuditActor.CommandLine(), output, errors, CancellationToken.None);

        Assert.Equal((1, 1, 0, 1), (confirmOpen, unknown, abort, confirmAborted));
        Assert.Contains($"window {close.NextWindowId}: the window is open", errors.ToString());
        Assert.Contains("there is no settlement window 999999999999", errors.ToString());
        Assert.Contains("was aborted", errors.ToString());
        Assert.StartsWith($"{close.WindowId}\tJOD\taborted", output.ToString());
        Assert.Equal(WindowState.Open, (await Windows.FindAsync(close.NextWindowId, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Approvals_carry_their_settlement_date_in_field_15_and_the_rest_answer()
    {
        var calendar = host.Service<Switch.Settlement.Calendar.BusinessCalendar>();
        var bankCode = await TestData.Bank(host.Postgres, cap: 100_000_000);
        await using var bank = await host.SignedOnAsync(bankCode);
        using var restBank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var before = calendar.SettlementDate(DateTimeOffset.UtcNow);

        var iso = await bank.SendAsync(Payment(bankCode, "0512345678", 2_000, "TOPUP", "MB"), Wait);
        var rest = await restBank.PayAsync(RestClient.NewKey(), RestClient.PaymentBody("0512345678", "20.00", "TOPUP", "IB"));
        var declined = await bank.SendAsync(Payment(bankCode, "0512345678", 0, "TOPUP", "MB"), Wait);
        var after = calendar.SettlementDate(DateTimeOffset.UtcNow);

        Assert.Equal("00", iso.GetString(39));
        Assert.Contains(iso.GetString(15), new[] { before.ToString("MMdd", System.Globalization.CultureInfo.InvariantCulture), after.ToString("MMdd", System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(calendar.IsBusinessDay(before) && calendar.IsBusinessDay(after));
        Assert.Equal(HttpStatusCode.Created, rest.Status);
        Assert.Contains(rest["settlementDate"], new[] { before.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), after.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) });
        Assert.NotEqual("00", declined.GetString(39));
        Assert.Null(declined.GetString(15));
    }

    [Fact]
    public async Task Net_positions_of_a_closed_window_balance_and_match_the_journal_in_json_csv_and_on_the_command_line()
    {
        var (bankA, billerA) = await JodBankAsync(cap: 100_000_000);
        var (bankB, billerB) = await JodBankAsync(cap: 100_000_000);
        await using var a = await host.SignedOnAsync(bankA);
        await using var b = await host.SignedOnAsync(bankB);
        using var centralBank = new RestClient(host.HttpPort, await RestBanks.CreateKey(host.Postgres, "central_bank"));
        Assert.Equal("00", await PayAsync(a, bankA, billerA, 1_000));
        Assert.Equal("00", await PayAsync(b, bankB, billerA, 2_000));
        var reversed = Payment(bankB, "0512345678", 500, billerB, "MB", "400");
        Assert.Equal("00", (await b.SendAsync(reversed, Wait)).GetString(39));
        Assert.Equal("00", (await b.SendAsync(Reversal(reversed), Wait)).GetString(39));

        var open = (await Windows.CloseAsync(Jod, ClosedBy.Demand, AuditActor.CommandLine(), CancellationToken.None));
        var json = await centralBank.GetAsync($"settlement/windows/{open.WindowId}/net-positions");
        var csv = await centralBank.GetAsync($"settlement/windows/{open.WindowId}/net-positions?format=csv");
        var ofOpen = await centralBank.GetAsync($"settlement/windows/{open.NextWindowId}/net-positions");
        var ofUnknown = await centralBank.GetAsync("settlement/windows/999999999999/net-positions");
        var asXml = await centralBank.GetAsync($"settlement/windows/{open.WindowId}/net-positions?format=xml");
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var cli = await SettlementCommand.ReportAsync(Windows, open.WindowId, "csv", output, errors, CancellationToken.None);
        var cliOpen = await SettlementCommand.ReportAsync(Windows, open.NextWindowId, "json", output, errors, CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, json.Status);
        var positions = json.Json["positions"]!.AsArray().ToDictionary(p => $"{p!["kind"]}:{p["participant"]}", p => p!["net"]!.GetValue<string>());
        Assert.Equal("-1.000", positions[$"bank:{bankA}"]);
        Assert.Equal("-2.000", positions[$"bank:{bankB}"]);
        Assert.Equal("3.000", positions[$"biller:{billerA}"]);
        Assert.Equal("0.000", positions[$"biller:{billerB}"]);
        var totals = json.Json["totals"]!;
        Assert.Equal("0.000", totals["netSum"]!.GetValue<string>());
        var window = (await Windows.FindAsync(open.WindowId, CancellationToken.None))!;
        Assert.Equal((window.Paid + window.Reversed).Format(), totals["debit"]!.GetValue<string>());
        Assert.Equal(totals["debit"]!.GetValue<string>(), totals["credit"]!.GetValue<string>());
        Assert.Equal(("text/csv", HttpStatusCode.OK), (csv.ContentType, csv.Status));
        Assert.EndsWith($"{open.WindowId},JOD,total,,{totals["debit"]},{totals["credit"]},0.000\n", csv.Text);
        Assert.Contains($"{open.WindowId},JOD,bank,{bankB},2.500,0.500,-2.000\n", csv.Text);
        Assert.Equal((HttpStatusCode.Conflict, "12"), (ofOpen.Status, ofOpen.Code));
        Assert.Equal((HttpStatusCode.NotFound, "12"), (ofUnknown.Status, ofUnknown.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "30"), (asXml.Status, asXml.Code));
        Assert.Equal((0, 1), (cli, cliOpen));
        Assert.Equal(csv.Text, output.ToString());
        Assert.Contains("only a closed or settled window", errors.ToString());
    }

    private static async Task<string> PollAsync(Func<Task<string>> attempt, string wanted)
    {
        var until = DateTime.UtcNow + Wait;
        while (true)
        {
            var answer = await attempt();
            if (answer == wanted || DateTime.UtcNow > until)
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }
    [Fact]
    public async Task A_windows_reports_are_written_signed_openssl_verifies_them_and_any_changed_byte_fails()
    {
        var (bank, biller) = await JodBankAsync(cap: 100_000_000);
        await using var client = await host.SignedOnAsync(bank);
        Assert.Equal("00", await PayAsync(client, bank, biller, 1_250));
        var closed = await Windows.CloseAsync(Jod, ClosedBy.Demand, AuditActor.CommandLine(), CancellationToken.None);
        var folder = Directory.CreateTempSubdirectory("switch-reports-").FullName;
        using var key = ReportSignature.Open(host.Service<Adapters.Secrets.InstallationSecrets>().ReportSigningKey);
        using var output = new StringWriter();
        using var errors = new StringWriter();
        try
        {
            Assert.Equal(0, await SettlementCommand.WriteReportsAsync(Windows, closed.WindowId, key, folder, output, errors, CancellationToken.None));
            Assert.Equal(1, await SettlementCommand.WriteReportsAsync(Windows, closed.NextWindowId, key, Path.Combine(folder, "open"), output, errors, CancellationToken.None));

            var publicKey = await File.ReadAllTextAsync(Path.Combine(folder, "switch-public-key.pem"));
            foreach (var report in new[] { "csv", "json" }.Select(e => Path.Combine(folder, $"window-{closed.WindowId}-net-positions.{e}")))
            {
                var bytes = await File.ReadAllBytesAsync(report);
                var signature = await File.ReadAllBytesAsync(report + ".sig");
                Assert.True(ReportSignature.Verify(publicKey, bytes, signature));
                Assert.Equal((0, "Verified OK"), await OpensslVerifyAsync(folder, report));
                for (var at = 0; at < bytes.Length; at += Math.Max(1, bytes.Length / 7))
                {
                    var changed = (byte[])bytes.Clone();
                    changed[at] ^= 0x01;
                    Assert.False(ReportSignature.Verify(publicKey, changed, signature), $"a report changed at byte {at} still verified");
                }

                bytes[^1] ^= 0x20;
                await File.WriteAllBytesAsync(report, bytes);
                Assert.Equal(1, (await OpensslVerifyAsync(folder, report)).ExitCode);
            }

            Assert.False(Directory.Exists(Path.Combine(folder, "open")));
            Assert.Contains(closed.NextWindowId.ToString(System.Globalization.CultureInfo.InvariantCulture), errors.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> OpensslVerifyAsync(string folder, string report)
    {
        using var openssl = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(
            "openssl", ["dgst", "-sha256", "-verify", Path.Combine(folder, "switch-public-key.pem"), "-signature", report + ".sig", report])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var printed = await openssl.StandardOutput.ReadToEndAsync() + await openssl.StandardError.ReadToEndAsync();
        await openssl.WaitForExitAsync();
        return (openssl.ExitCode, printed.Trim());
    }
}
