using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using HdrHistogram;
using Switch.Adapters.Iso8583;
using Switch.LoadGen;

var host = new Option<string>("--host") { DefaultValueFactory = _ => "127.0.0.1", Description = "The switch's ISO 8583 address." };
var port = new Option<int>("--port") { DefaultValueFactory = _ => 5800 };
var bankOption = new Option<string>("--bank") { DefaultValueFactory = _ => "100001", Description = "A demo bank without MAC." };
var connections = new Option<int>("--connections") { DefaultValueFactory = _ => 8 };
var window = new Option<int>("--window") { DefaultValueFactory = _ => 64, Description = "Requests in flight per connection (pipelining)." };
var seconds = new Option<int>("--seconds") { DefaultValueFactory = _ => 30 };
var inquiries = new Option<int>("--inquiry-percent") { DefaultValueFactory = _ => 20 };
var invalid = new Option<int>("--invalid-percent") { DefaultValueFactory = _ => 5 };
var postgres = new Option<string?>("--postgres") { Description = "Connection string for the journal check (default: Switch__Postgres__ConnectionString)." };
var root = new RootCommand("Drive a running switch over ISO 8583 as simulated banks; check the journal against every approval received.")
{
    host, port, bankOption, connections, window, seconds, inquiries, invalid, postgres,
};

root.SetAction(async (result, cancellationToken) =>
{
    var bank = result.GetValue(bankOption)!;
    var traffic = new Traffic(bank, result.GetValue(inquiries), result.GetValue(invalid));
    var latency = new LongConcurrentHistogram(1, TimeStamp.Seconds(30), 3);
    var codes = new ConcurrentDictionary<string, long>();
    var approvals = new ConcurrentDictionary<string, long>();
    var clients = new List<IsoClient>();
    for (var i = 0; i < result.GetValue(connections); i++)
    {
        var client = await IsoClient.ConnectAsync(result.GetValue(host)!, result.GetValue(port), cancellationToken: cancellationToken);
        var signOn = await client.SendAsync(BankRequests.Network(bank, "001").Stamp(900_000 + i, $"S{traffic.RunPrefix}{i:D7}", DateTime.UtcNow),
            TimeSpan.FromSeconds(5), cancellationToken);
        if (signOn.GetString(39) != "00")
        {
            Console.Error.WriteLine($"sign-on of bank {bank} answered {signOn.GetString(39)}");
            return 2;
        }

        clients.Add(client);
    }

    var duration = TimeSpan.FromSeconds(result.GetValue(seconds));
    var clock = Stopwatch.StartNew();
    long completed = 0;
    var workers = clients.SelectMany(client => Enumerable.Range(0, result.GetValue(window)).Select(_ => Task.Run(async () =>
    {
        var random = new Random();
        while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
        {
            var (request, isPayment) = traffic.Next(random);
            var started = Stopwatch.GetTimestamp();
            var response = await client.SendAsync(request, TimeSpan.FromSeconds(10), cancellationToken);
            latency.RecordValue(Stopwatch.GetTimestamp() - started);
            var code = response.GetString(39) ?? "none";
            codes.AddOrUpdate($"{request.Mti} {code}", 1, (_, n) => n + 1);
            if (isPayment && code == "00")
            {
                approvals[request.GetString(37)!] = long.Parse(request.GetString(4)!);
            }

            Interlocked.Increment(ref completed);
        }
    }))).ToList();

    var progress = Task.Run(async () =>
    {
        long last = 0;
        while (workers.Any(w => !w.IsCompleted))
        {
            await Task.Delay(1000);
            var now = Interlocked.Read(ref completed);
            Console.WriteLine($"{clock.Elapsed.TotalSeconds,5:F0} s  {now - last,8:N0} req/s  {approvals.Count,10:N0} approved");
            last = now;
        }
    });
    await Task.WhenAll(workers);
    await progress;
    var elapsed = clock.Elapsed;
    foreach (var client in clients)
    {
        await client.DisposeAsync();
    }

    double Ms(double percentile) => latency.GetValueAtPercentile(percentile) * 1000.0 / Stopwatch.Frequency;
    Console.WriteLine();
    Console.WriteLine($"requests   {completed:N0} in {elapsed.TotalSeconds:F1} s = {completed / elapsed.TotalSeconds:N0}/s; approved payments {approvals.Count / elapsed.TotalSeconds:N0}/s");
    Console.WriteLine($"latency    p50 {Ms(50):F2} ms  p95 {Ms(95):F2} ms  p99 {Ms(99):F2} ms  p99.9 {Ms(99.9):F2} ms  max {latency.GetMaxValue() * 1000.0 / Stopwatch.Frequency:F2} ms");
    foreach (var (key, count) in codes.OrderBy(c => c.Key))
    {
        Console.WriteLine($"  {key}  {count,10:N0}");
    }

    var connectionString = result.GetValue(postgres) ?? Environment.GetEnvironmentVariable("Switch__Postgres__ConnectionString");
    if (connectionString is null)
    {
        Console.Error.WriteLine("No PostgreSQL connection string: the journal check cannot run.");
        return 2;
    }

    var problems = await JournalCheck.RunAsync(connectionString, bank, traffic.RunPrefix, approvals);
    Console.WriteLine(problems.Count == 0
        ? $"journal    all {approvals.Count:N0} approvals present exactly once with their amounts; nothing else approved"
        : $"journal    {problems.Count} differences:\n  " + string.Join("\n  ", problems.Take(20)));
    return problems.Count == 0 ? 0 : 1;
});

return await root.Parse(args).InvokeAsync();
