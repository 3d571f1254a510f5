using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>
/// A switch with a Redis of its own (a redis-server this fixture starts on a free port), so that a test can stop it
/// with SIGSTOP, as a hung Redis behaves: connections stay open and nothing answers. The shared Redis of the test run
/// is never touched.
/// </summary>
public sealed class OwnRedisHostFixture : HostFixture
{
    private readonly Process _redis;

    public OwnRedisHostFixture()
    {
        RedisPort = FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", RedisPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("redis-server did not start.");
        _redis.BeginOutputReadLine();
    }

    public int RedisPort { get; }

    public int RedisPid => _redis.Id;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Switch:Redis:ConnectionString", $"127.0.0.1:{RedisPort},connectTimeout=500")];

    public override async Task DisposeAsync()
    {
        Signal("CONT");
        await base.DisposeAsync();
        _redis.Kill();
        await _redis.WaitForExitAsync();
        _redis.Dispose();
    }

    public void Signal(string signal) => Process.Start("kill", [$"-{signal}", RedisPid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    /// <summary>Waits until the fixture's redis-server accepts connections.</summary>
    public static async Task UntilListeningAsync(int port)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
        }
    }
}

[Collection(RestCollection.Name)]
public class RestRedisStoppedTests(OwnRedisHostFixture host) : IClassFixture<OwnRedisHostFixture>
{
    /// <summary>The switch's request timeout (5 s by default): the most any answer may take.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Health_operator_and_bank_calls_answer_within_the_request_timeout_while_redis_is_stopped()
    {
        await OwnRedisHostFixture.UntilListeningAsync(host.RedisPort);
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        await UntilAsync(async () => (await operatorClient.GetAsync("operator/status"))["redis"] == "up");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        host.Signal("STOP");
        try
        {
            var calls = Enumerable.Range(0, 300).Select(i => TimedAsync(async () =>
                    (await http.GetAsync($"http://127.0.0.1:{host.HttpPort}/health")).StatusCode))
                .Concat(Enumerable.Range(0, 100).Select(i => TimedAsync(async () => (await operatorClient.GetAsync("operator/status")).Status)))
                // Bank routes count their rate: Redis hears of the counts in batches, off the request's path.
                .Concat(Enumerable.Range(0, 100).Select(i => TimedAsync(async () => (await bank.GetAsync("billers")).Status)));

            var answers = await Task.WhenAll(calls);

            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
            Assert.True(answers.Max(a => a.Took) < RequestTimeout, $"slowest call took {answers.Max(a => a.Took)}");
            await UntilAsync(async () => (await operatorClient.GetAsync("operator/status"))["redis"] != "up");
        }
        finally
        {
            host.Signal("CONT");
        }

        await UntilAsync(async () => (await operatorClient.GetAsync("operator/status"))["redis"] == "up");
    }

    private static async Task<(HttpStatusCode Status, TimeSpan Took)> TimedAsync(Func<Task<HttpStatusCode>> call)
    {
        var clock = Stopwatch.StartNew();
        var status = await call();
        return (status, clock.Elapsed);
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within 20 s");
            await Task.Delay(100);
        }
    }
}
