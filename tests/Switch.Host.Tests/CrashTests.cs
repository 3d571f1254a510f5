using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests;

/// <summary>
/// Guarantee 1 against a real process: the switch is killed with SIGKILL in the middle of a payment load, and
/// every approval a bank received must be in the journal exactly once, with its amount. It is started again
/// afterwards and must serve: positions rebuild from the journal.
/// </summary>
public class CrashTests
{
    private const string Bank = "100001";

    [Fact]
    public async Task Every_approval_received_before_a_kill_9_is_in_the_journal_exactly_once()
    {
        var postgres = HostFixture.RequireServers();
        var prefix = new string(Random.Shared.GetItems("ABCDEFGHJKLMNPQRSTUVWXYZ".ToCharArray(), 4));
        var approvals = new ConcurrentDictionary<string, long>();
        var (isoPort, httpPort) = (HostFixture.FreePort(), HostFixture.FreePort());

        using (var victim = StartSwitch(isoPort, httpPort))
        {
            await WaitForHealth(httpPort, victim);
            await using var bank = await IsoClient.ConnectAsync("127.0.0.1", isoPort);
            Assert.Equal("00", (await bank.SendAsync(BankRequests.Network(Bank, "001").Stamp(1, $"C{prefix}0000000", DateTime.UtcNow), TimeSpan.FromSeconds(5))).GetString(39));
            long sequence = 0;
            var load = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    var n = Interlocked.Increment(ref sequence);
                    var amount = 100 + (n % 900);
                    var request = BankRequests.Payment(Bank, "TOPUP", "05" + (n % 100_000_000).ToString("D8", CultureInfo.InvariantCulture), amount, channel: "MB")
                        .Stamp(n, $"C{prefix}{n:D7}", DateTime.UtcNow);
                    try
                    {
                        var response = await bank.SendAsync(request, TimeSpan.FromSeconds(5));
                        if (response.GetString(39) == "00")
                        {
                            approvals[request.GetString(37)!] = amount;
                        }
                    }
                    catch (Exception e) when (e is IOException or TimeoutException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            })).ToList();

            await WaitUntil(() => approvals.Count >= 300, TimeSpan.FromSeconds(30));
            victim.Process.Kill(entireProcessTree: true);
            await victim.Process.WaitForExitAsync();
            await Task.WhenAll(load);
        }

        var journal = await ApprovedInJournal(postgres, prefix);
        Assert.True(approvals.Count >= 300);
        Assert.All(approvals, a => Assert.True(journal.TryGetValue(a.Key, out var stored) && stored.Amount == a.Value && stored.Count == 1,
            $"{a.Key} was approved for {a.Value} but the journal has {(journal.TryGetValue(a.Key, out var s) ? $"{s.Count} row(s) of {s.Amount}" : "nothing")}"));

        using var restarted = StartSwitch(isoPort, httpPort);
        await WaitForHealth(httpPort, restarted);
        await using var again = await IsoClient.ConnectAsync("127.0.0.1", isoPort);
        Assert.Equal("00", (await again.SendAsync(BankRequests.Network(Bank, "001").Stamp(2, $"C{prefix}9999999", DateTime.UtcNow), TimeSpan.FromSeconds(5))).GetString(39));
        var after = await again.SendAsync(BankRequests.Payment(Bank, "TOPUP", "0500000000", 500, channel: "MB").Stamp(3, $"C{prefix}9999998", DateTime.UtcNow), TimeSpan.FromSeconds(10));
        Assert.Equal("00", after.GetString(39));
    }

    /// <summary>The switch as a child process; disposing kills it, so a failing test leaves nothing running.</summary>
    private sealed class SwitchProcess(Process process) : IDisposable
    {
        public Process Process => process;

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
        }
    }

    private static SwitchProcess StartSwitch(int isoPort, int httpPort)
    {
        var dll = Path.Combine(RepositoryRoot(), "src", "Switch", "Switch.Host", "bin", "Release", "net10.0", "switch.dll");
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" serve") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["Switch__Iso__Port"] = isoPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["Switch__HttpUrl"] = $"http://127.0.0.1:{httpPort}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SwitchProcess(process);
    }

    private static async Task WaitForHealth(int httpPort, SwitchProcess started)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await WaitUntil(() =>
        {
            Assert.False(started.Process.HasExited, "the switch exited while starting");
            try
            {
                return http.GetAsync($"http://127.0.0.1:{httpPort}/health").Result.IsSuccessStatusCode;
            }
            catch (AggregateException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
    }

    private static async Task<Dictionary<string, (long Amount, int Count)>> ApprovedInJournal(string connectionString, string prefix)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "select reference, min(amount), count(*)::int from payments where bank_code = $1 and reference like $2 and response_code = '00' group by reference");
        command.Parameters.AddWithValue(Bank);
        command.Parameters.AddWithValue($"C{prefix}%");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, (long, int)>();
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt32(2));
        }

        return rows;
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {limit.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switch.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Switch.sln not found above the test binaries.");
    }
}
