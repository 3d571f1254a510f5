using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Switch.Adapters.Tests.Interop;

/// <summary>
/// The independent ISO 8583 implementation (npm iso_8583 2.6.7, tests/interop/peer.js) as a child process
/// speaking JSON lines. <c>./switch test</c> installs its packages with npm ci.
/// </summary>
public sealed class NodePeer : IDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();

    public NodePeer()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "interop");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "iso_8583")))
        {
            throw new InvalidOperationException($"npm packages are missing in {folder}: run the tests with ./switch test (it runs npm ci there).");
        }

        _process = Process.Start(new ProcessStartInfo("node", "peer.js")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("node could not be started.");
    }

    /// <summary>The peer's frame (2-byte length header + message) for a message in IsoJson form.</summary>
    public byte[] Pack(JsonNode message) => Convert.FromHexString(Call(new JsonObject { ["op"] = "pack", ["message"] = message.DeepClone() })["hex"]!.GetValue<string>());

    /// <summary>The peer's reading of a frame (2-byte length header + message), in IsoJson form.</summary>
    public JsonNode Unpack(ReadOnlySpan<byte> frame) => Call(new JsonObject { ["op"] = "unpack", ["hex"] = Convert.ToHexString(frame) })["message"]!;

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5000))
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private JsonNode Call(JsonObject request)
    {
        lock (_gate)
        {
            _process.StandardInput.WriteLine(request.ToJsonString());
            _process.StandardInput.Flush();
            var answer = JsonNode.Parse(_process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the peer exited"))!;
            return answer["ok"]!.GetValue<bool>() ? answer : throw new InvalidOperationException($"the peer refused: {answer["error"]}");
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
