using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Switch.Host.Tests.Cli;

/// <summary>
/// <c>./switch</c> alone and <c>./switch --help</c> list every verb, one line each: the script's own and every
/// subcommand of the switch's command line, including ones added after the help was written.
/// </summary>
public partial class SwitchHelpTests
{
    private static readonly string Root = RepositoryRoot();

    private static readonly string[] Verbs = ["test", "demo", "serve", "devenv", "migrate", "loadgen", "iso"];

    [Theory]
    [InlineData(null)]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_lists_every_verb_once(string? argument)
    {
        var (status, help) = await RunAsync("bash", argument is null ? ["switch"] : ["switch", argument]);

        Assert.Equal(0, status);
        var listed = VerbLines(help);
        foreach (var verb in Verbs.Concat(await CommandLineSubcommandsAsync()))
        {
            Assert.True(listed.Count(name => name == verb) == 1, $"'{verb}' is listed {listed.Count(name => name == verb)} times in:\n{help}");
        }
    }

    [Fact]
    public async Task Every_verb_line_has_a_description()
    {
        var (_, help) = await RunAsync("bash", ["switch", "--help"]);

        var lines = help.Split('\n').Where(line => VerbLine().IsMatch(line)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(@"^  \S+ +\S.{10,}", line));
    }

    /// <summary>The subcommands as the command line lists them in its own help.</summary>
    private static async Task<IReadOnlyList<string>> CommandLineSubcommandsAsync()
    {
        var (status, help) = await RunAsync("dotnet", [Path.Combine("src", "Switch", "Switch.Host", "bin", "Release", "net10.0", "switch.dll"), "--help"]);
        Assert.Equal(0, status);
        var commands = help[(help.IndexOf("Commands:", StringComparison.Ordinal) + "Commands:".Length)..];
        var names = VerbLines(commands);
        Assert.Contains("serve", names);
        return names;
    }

    private static List<string> VerbLines(string help) =>
        help.Split('\n').Select(line => VerbLine().Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"^  ([a-z][a-z0-9-]*)\s")]
    private static partial Regex VerbLine();

    private static async Task<(int Status, string Output)> RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The tests run on what ./switch test has just built; a build now would write under the running tests.
        start.Environment["SWITCH_SKIP_BUILD"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var errors = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output + await errors);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !(File.Exists(Path.Combine(folder.FullName, "switch")) && File.Exists(Path.Combine(folder.FullName, "Switch.sln"))))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("The repository root (with ./switch) was not found above the test binaries.");
    }
}
