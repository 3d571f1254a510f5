using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Cluster;

/// <summary>
/// One switch node as a real process (<c>dotnet switch.dll serve</c>, as <c>./switch test</c> built it) on its own
/// ISO 8583, HTTP and Akka ports, against the servers <c>./switch test</c> started (their settings come in the
/// environment the child inherits). It keeps its ports across restarts, as a restarted machine would, and its log
/// (stdout and stderr, every run appended) in memory and in <see cref="LogFile"/>.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    // Killed when the test process ends however it ends (a runner that aborts skips fixture disposal).
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly StringBuilder _log = new();
    private readonly object _logLock = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private Process? _process;

    static NodeProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        };
    }

    /// <param name="settings">Switch settings in environment form (Switch__Positions__CapRefresh), over the defaults.</param>
    public NodeProcess(int index, IReadOnlyList<string> seedNodes, int akkaPort, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Index = index;
        AkkaPort = akkaPort;
        SeedNodes = seedNodes;
        _settings = settings ?? new Dictionary<string, string?>();
        LogFile = Path.Combine(AppContext.BaseDirectory, "cluster-logs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}-node{index}-{IsoPort}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
    }

    public int Index { get; }

    public int IsoPort { get; } = HostFixture.FreePort();

    public int HttpPort { get; } = HostFixture.FreePort();

    public int AkkaPort { get; }

    public string HttpUrl => $"http://127.0.0.1:{HttpPort}";

    /// <summary>This node's actor-system address, as the other nodes' seed lists name it.</summary>
    public string AkkaAddress => Address(AkkaPort);

    public IReadOnlyList<string> SeedNodes { get; }

    public string LogFile { get; }

    public bool IsRunning => _process is { HasExited: false };

    public int? ExitCode => _process is { HasExited: true } exited ? exited.ExitCode : null;

    /// <summary>Everything the node wrote so far, over all its runs.</summary>
    public string Log
    {
        get
        {
            lock (_logLock)
            {
                return _log.ToString();
            }
        }
    }

    public static string Address(int akkaPort) => $"akka.tcp://switch@127.0.0.1:{akkaPort}";

    /// <summary>Starts the process (not yet ready: see <see cref="WaitReadyAsync"/>).</summary>
    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"Node {Index} is already running.");
        }

        var start = new ProcessStartInfo("dotnet", $"\"{SwitchDll()}\" serve")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in Variables())
        {
            start.Environment[name] = value;
        }

        AppendLog($"---- node {Index} starting at {DateTime.UtcNow:O}: ISO {IsoPort}, HTTP {HttpPort}, Akka {AkkaPort}");
        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        Running[_process.Id] = _process;
        _process.OutputDataReceived += (_, line) => AppendLog(line.Data);
        _process.ErrorDataReceived += (_, line) => AppendLog(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until the node answers /health/ready (which it does only once it is an Up member of the cluster).</summary>
    public async Task WaitReadyAsync(TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? StartLimit);
        while (true)
        {
            if (!IsRunning)
            {
                throw new InvalidOperationException($"Node {Index} exited ({ExitCode}) while starting; its log ends:\n{Tail()}");
            }

            if (await IsReadyAsync())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Node {Index} was not ready within {(limit ?? StartLimit).TotalSeconds} s; its log ends:\n{Tail()}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await _http.GetAsync($"{HttpUrl}/health/ready");
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Asks the node to stop (SIGTERM, as a supervisor does) and waits for it to exit; SIGKILL if it has not within <paramref name="limit"/>.</summary>
    /// <returns>The exit code, or null when it had to be killed.</returns>
    public async Task<int?> StopAsync(TimeSpan? limit = null)
    {
        if (!IsRunning)
        {
            return ExitCode;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process!.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            Forget();
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return null;
        }
    }

    /// <summary>SIGKILL: the node dies at once, mid-whatever, as in a power cut.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }

        await _process.WaitForExitAsync();
        Forget();
        AppendLog($"---- node {Index} killed at {DateTime.UtcNow:O}");
    }

    /// <summary>Stops (SIGTERM) or kills the node, starts it again on the same ports and waits until it is ready.</summary>
    public async Task RestartAsync(bool kill = false)
    {
        if (kill)
        {
            await KillAsync();
        }
        else
        {
            await StopAsync();
        }

        Start();
        await WaitReadyAsync();
    }

    /// <summary>Waits until the node's log has a line containing <paramref name="text"/> (counting from <paramref name="after"/> characters in).</summary>
    public async Task<string> WaitForLogAsync(string text, TimeSpan limit, int after = 0)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var log = Log;
            var at = log.IndexOf(text, Math.Min(after, log.Length), StringComparison.Ordinal);
            if (at >= 0)
            {
                var end = log.IndexOf('\n', at);
                var start = log.LastIndexOf('\n', at) + 1;
                return log[start..(end < 0 ? log.Length : end)];
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Node {Index} did not log \"{text}\" within {limit.TotalSeconds} s; its log ends:\n{Tail()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A bank connection to this node over ISO 8583, signed on.</summary>
    public async Task<IsoClient> SignedOnAsync(string bank, byte[]? macKey = null)
    {
        var client = await IsoClient.ConnectAsync("127.0.0.1", IsoPort);
        client.MacKey = macKey;
        var response = await client.SendAsync(Iso.BankMessages.Network(bank, "001"), TimeSpan.FromSeconds(10));
        Assert.Equal("00", response.GetString(39));
        return client;
    }

    /// <summary>The last lines of the log, for failure messages.</summary>
    public string Tail(int characters = 6000)
    {
        var log = Log;
        return log.Length <= characters ? log : log[^characters..];
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _http.Dispose();
    }

    private IEnumerable<(string Name, string? Value)> Variables()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Switch__Iso__Port"] = IsoPort.ToString(CultureInfo.InvariantCulture),
            ["Switch__HttpUrl"] = HttpUrl,
            ["Switch__Cluster__Hostname"] = "127.0.0.1",
            ["Switch__Cluster__Port"] = AkkaPort.ToString(CultureInfo.InvariantCulture),
            // Tests create banks and enrolments as they go; every node must see them at once.
            ["Switch__CatalogRefresh"] = "00:00:00",
            ["Switch__BankCacheTime"] = "00:00:00",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        for (var i = 0; i < SeedNodes.Count; i++)
        {
            settings[$"Switch__Cluster__SeedNodes__{i}"] = SeedNodes[i];
        }

        foreach (var (name, value) in _settings)
        {
            settings[name] = value;
        }

        return settings.Select(s => (s.Key, s.Value));
    }

    private void Forget()
    {
        if (_process is not null)
        {
            Running.TryRemove(_process.Id, out _);
        }
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log.Append(line).Append('\n');
            File.AppendAllText(LogFile, line + "\n");
        }
    }

    private static string SwitchDll()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switch.sln")))
        {
            directory = directory.Parent;
        }

        var dll = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Switch.sln not found above the test binaries."),
            "src", "Switch", "Switch.Host", "bin", "Release", "net10.0", "switch.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: run the tests with ./switch test, which builds it.");
    }
}
