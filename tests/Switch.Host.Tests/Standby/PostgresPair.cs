using System.Diagnostics;
using System.Globalization;

namespace Switch.Host.Tests.Standby;

/// <summary>
/// A PostgreSQL primary and its synchronous standby of the test's own, on free ports in a temporary folder, made by the
/// same script as <c>./switch devenv up --standby</c> (scripts/devenv.sh). Disposing stops both and removes the folder;
/// the servers of the test run are never touched.
/// </summary>
public sealed class PostgresPair : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "switch-standby-" + Guid.NewGuid().ToString("N")[..8]);

    private PostgresPair()
    {
    }

    public int PrimaryPort { get; } = Infrastructure.HostFixture.FreePort();

    public int StandbyPort { get; } = Infrastructure.HostFixture.FreePort();

    /// <summary>The switch's connection string: both servers, whichever is the primary.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A connection string to the standby alone (the primary once promoted).</summary>
    public string StandbyOnly => $"Host=127.0.0.1;Port={StandbyPort};Username=postgres;Database=switch";

    public static async Task<PostgresPair> StartAsync()
    {
        var pair = new PostgresPair();
        try
        {
            pair.ConnectionString = (await pair.DevenvAsync("devenv_pg_up && devenv_standby_up && devenv_export && echo \"$Switch__Postgres__ConnectionString\"")).Trim();
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the primary the hard way: every server process quits at once, no checkpoint, as in a crash.</summary>
    public Task KillPrimaryAsync() => DevenvAsync("as_pg \"$(pg_bin)/pg_ctl\" -D \"$PG_DATA\" -m immediate -w stop");

    /// <summary>Makes the standby the primary, and returns once it accepts writes.</summary>
    public Task PromoteStandbyAsync() => DevenvAsync("as_pg \"$(pg_bin)/pg_ctl\" -D \"$PG_STANDBY_DATA\" -w promote");

    public async ValueTask DisposeAsync()
    {
        await DevenvAsync("""
            for data in "$PG_STANDBY_DATA" "$PG_DATA"; do
              [ -f "$data/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
            done
            true
            """);
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Runs <paramref name="script"/> with scripts/devenv.sh sourced for this pair; returns its output, throws on failure.</summary>
    private async Task<string> DevenvAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", $"set -e; source scripts/devenv.sh; {script}"])
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SWITCH_PG_DIR"] = _folder;
        start.Environment["SWITCH_PG_PORT"] = PrimaryPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["SWITCH_PG_STANDBY_PORT"] = StandbyPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["SWITCH_PG_DATABASE"] = "switch";
        start.Environment.Remove("SWITCH_PG_ONE_SERVER");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"devenv ({script}) failed with {process.ExitCode}: {await errors}");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "scripts", "devenv.sh")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("scripts/devenv.sh not found above the test binaries.");
    }
}
