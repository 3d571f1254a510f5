using System.CommandLine;
using Npgsql;
using Switch.LoadGen;

var isoPort = int.TryParse(Environment.GetEnvironmentVariable("Switch__Iso__Port"), out var configuredPort) ? configuredPort : 5800;
var httpUrl = Environment.GetEnvironmentVariable("Switch__HttpUrl") ?? "http://127.0.0.1:8080";
var host = new Option<string>("--host") { DefaultValueFactory = _ => "127.0.0.1", Description = "The switch's ISO 8583 address." };
var port = new Option<int>("--port") { DefaultValueFactory = _ => isoPort, Description = "ISO 8583 port (default Switch__Iso__Port, else 5800)." };
var http = new Option<string>("--http") { DefaultValueFactory = _ => httpUrl, Description = "REST base address (default Switch__HttpUrl)." };
var bankOption = new Option<string>("--bank") { DefaultValueFactory = _ => "100001", Description = "The bank to act as (not with --demo)." };
var connections = new Option<int>("--connections") { DefaultValueFactory = _ => 4, Description = "ISO 8583 connections per bank." };
var window = new Option<int>("--window") { DefaultValueFactory = _ => 32, Description = "Requests in flight per ISO connection when flat out." };
var restClients = new Option<int>("--rest-clients") { DefaultValueFactory = _ => 0, Description = "REST clients per bank." };
var restWindow = new Option<int>("--rest-window") { DefaultValueFactory = _ => 8, Description = "Requests in flight per REST client when flat out." };
var rate = new Option<double>("--rate") { DefaultValueFactory = _ => 0, Description = "Requests per second in all, on schedule (0: flat out)." };
var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 30, Description = "Measured seconds." };
var count = new Option<long>("--count") { DefaultValueFactory = _ => 0, Description = "Stop after this many measured requests (0: no limit)." };
var warmup = new Option<double>("--warmup") { DefaultValueFactory = _ => 0, Description = "Seconds of traffic before measuring (sent and checked, not counted)." };
var inquiries = new Option<int>("--inquiry-percent") { DefaultValueFactory = _ => 20 };
var invalid = new Option<int>("--invalid-percent") { DefaultValueFactory = _ => 5, Description = "Zero-amount payments (answered 13)." };
var reversals = new Option<int>("--reversal-percent") { DefaultValueFactory = _ => 0, Description = "Reversals of this run's approvals." };
var demo = new Option<bool>("--demo") { Description = "Both demo banks over ISO 8583 and REST, real open bills and every kind of refusal; prints what was paid and declined." };
var nodes = new Option<int>("--nodes") { DefaultValueFactory = _ => 1, Description = "Nodes of a cluster on consecutive ports from --port and --http's; connections are spread over them and move when a node stops or dies." };
var isoNodes = new Option<string?>("--iso-nodes") { Description = "The nodes' ISO 8583 endpoints, comma-separated host:port (instead of --host, --port and --nodes): e.g. 10.0.0.11:5800,10.0.0.12:5800." };
var httpNodes = new Option<string?>("--http-nodes") { Description = "The nodes' REST base addresses, comma-separated (instead of --http and --nodes): e.g. http://10.0.0.11:8080,http://10.0.0.12:8080." };
var approvalsLog = new Option<string?>("--approvals-log") { Description = "Write every approval as \"bank sent-ms answered-ms\" (UTC) to this file." };
var postgres = new Option<string?>("--postgres") { Description = "Connection string for the journal check (default Switch__Postgres__ConnectionString)." };
var root = new RootCommand("Drive a running switch as simulated banks over ISO 8583 and REST; check the journal against every answer received.")
{
    host, port, http, bankOption, connections, window, restClients, restWindow, rate, seconds, count, warmup, inquiries, invalid, reversals, demo, nodes, isoNodes, httpNodes, approvalsLog, postgres,
};

root.SetAction(async (result, cancellationToken) =>
{
    var connectionString = result.GetValue(postgres) ?? Environment.GetEnvironmentVariable("Switch__Postgres__ConnectionString");
    if (connectionString is null)
    {
        Console.Error.WriteLine("No PostgreSQL connection string (--postgres or Switch__Postgres__ConnectionString): the journal check needs it.");
        return 2;
    }

    var isDemo = result.GetValue(demo);
    string[] banks = isDemo ? ["100001", "100002"] : [result.GetValue(bankOption)!];
    var ids = new RunIds();
    var ledger = new Ledger(reverses: isDemo || result.GetValue(reversals) > 0);
    var stats = new Stats();
    var mix = isDemo
        ? TrafficMix.Demo(banks, notEnrolledBank: "100002", await OpenBills.LoadAsync(connectionString, 20_000), ledger)
        : TrafficMix.Bench(banks[0], result.GetValue(inquiries), result.GetValue(invalid), result.GetValue(reversals), ledger);

    var nodeCount = Math.Max(1, result.GetValue(nodes));
    IReadOnlyList<System.Net.DnsEndPoint> endpoints;
    IReadOnlyList<Uri> bases;
    try
    {
        var first = new Uri(result.GetValue(http)!.TrimEnd('/') + "/");
        endpoints = result.GetValue(isoNodes) is { } isoList
            ? NodeList.IsoEndpoints(isoList)
            : [.. Enumerable.Range(result.GetValue(port), nodeCount).Select(p => new System.Net.DnsEndPoint(result.GetValue(host)!, p))];
        bases = result.GetValue(httpNodes) is { } httpList
            ? NodeList.HttpBases(httpList)
            : [.. Enumerable.Range(0, nodeCount).Select(i => new UriBuilder(first) { Port = first.Port + i }.Uri)];
    }
    catch (Exception e) when (e is ArgumentException or UriFormatException)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }

    using var interruptions = new Interruptions(result.GetValue(approvalsLog));
    var drivers = new List<IDriver>();
    if (result.GetValue(connections) > 0)
    {
        var macKeys = await MacKeysAsync(connectionString, banks);
        drivers.Add(await IsoDriver.ConnectAsync(endpoints, macKeys, result.GetValue(connections), result.GetValue(window), ids, ledger, cancellationToken));
    }

    if (result.GetValue(restClients) > 0)
    {
        drivers.Add(RestDriver.Create(bases, banks.ToDictionary(b => b, b => $"demo-key-{b}"),
            result.GetValue(restClients), result.GetValue(restWindow), ids, ledger));
    }

    if (drivers.Count == 0)
    {
        Console.Error.WriteLine("Nothing to drive: give --connections or --rest-clients.");
        return 2;
    }

    var limits = new RunLimits(result.GetValue(rate), TimeSpan.FromSeconds(result.GetValue(warmup)), TimeSpan.FromSeconds(result.GetValue(seconds)),
        result.GetValue(count) is > 0 and var limit ? limit : long.MaxValue);
    var runner = new Runner(mix, drivers, stats, limits, interruptions);
    var run = runner.RunAsync(cancellationToken);
    await ShowProgressAsync(run, runner, stats, ledger);
    await run;
    foreach (var driver in drivers)
    {
        await driver.DisposeAsync();
    }

    Report.Totals(stats, runner.Measured, limits.Warmup);
    if (isDemo)
    {
        Report.Demo(stats, ledger);
    }

    if (nodeCount > 1)
    {
        Report.Interruptions(interruptions);
    }

    var problems = await JournalCheck.RunAsync(connectionString, banks, ids.Prefix, ledger);
    Console.WriteLine(problems.Count == 0
        ? $"journal    all {ledger.Approvals.Count:N0} approvals present exactly once with their amounts, the {ledger.Approvals.Values.Count(a => a.Reversed):N0} reversed ones reversed; nothing else approved"
        : $"journal    {problems.Count} differences:\n  " + string.Join("\n  ", problems.Take(20)));
    return problems.Count == 0 ? 0 : 1;
});

return await root.Parse(args).InvokeAsync();

static async Task ShowProgressAsync(Task run, Runner runner, Stats stats, Ledger ledger)
{
    long last = 0;
    while (await Task.WhenAny(run, Task.Delay(1000)) != run)
    {
        var now = stats.Count;
        // The histogram has nothing to give a percentile of until the first measured answer.
        var p99 = now > 0 ? $"{Stats.Milliseconds(stats.All.GetValueAtPercentile(99)),7:F2} ms" : "-";
        Console.WriteLine(runner.Measuring
            ? $"{runner.Measured.TotalSeconds,5:F0} s  {now - last,8:N0} req/s  {ledger.Approvals.Count,10:N0} approved  p99 so far {p99}"
            : "  warming up");
        last = now;
    }
}

static async Task<Dictionary<string, byte[]?>> MacKeysAsync(string connectionString, string[] banks)
{
    // The keys are stored encrypted: the load generator reads them with the switch's own KEK settings (./switch exports them).
    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    var store = new Switch.Adapters.Secrets.BankKeyStore(dataSource, Switch.Adapters.Secrets.KeyEncryptionKey.Load(
        Environment.GetEnvironmentVariable("Switch__Secrets__KeyFile"), Environment.GetEnvironmentVariable("Switch__Secrets__Key")), TimeProvider.System);
    var keys = new Dictionary<string, byte[]?>();
    foreach (var bank in banks)
    {
        await using var command = dataSource.CreateCommand("select mac_required from banks where code = $1");
        command.Parameters.AddWithValue(bank);
        keys[bank] = await command.ExecuteScalarAsync() is true ? (await store.LoadAsync(bank, CancellationToken.None)).Current : null;
    }

    return keys;
}
