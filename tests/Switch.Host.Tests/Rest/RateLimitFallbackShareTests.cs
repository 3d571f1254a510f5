using Akka.Actor;
using Akka.Cluster;
using Switch.Host.Actors;
using Switch.Host.Rest;
using Switch.Participants;

namespace Switch.Host.Tests.Rest;

/// <summary>The rule for what a node admits while it counts a bank's requests alone: the limit divided by the nodes up.</summary>
public class FallbackShareTests
{
    [Theory]
    [InlineData(2000, 1, 2000)]
    [InlineData(2000, 3, 666)]
    [InlineData(10, 2, 5)]
    [InlineData(10, 3, 3)]
    [InlineData(2, 3, 1)]
    [InlineData(1, 5, 1)]
    [InlineData(100, 0, 100)]
    public void Share_is_the_limit_divided_by_the_nodes_up_rounded_down_and_never_below_one(int limit, int nodesUp, int share) =>
        Assert.Equal(share, BankRateLimiter.FallbackShare(limit, nodesUp));
}

/// <summary>
/// The real host with a Redis of its own, joined by a second cluster node: with Redis stopped (SIGSTOP, a hung Redis),
/// the host admits a bank's requests in a window only up to half its limit, since two nodes are up.
/// </summary>
[Collection(RestCollection.Name)]
public class RateLimitFallbackShareTests(OwnRedisHostFixture host) : IClassFixture<OwnRedisHostFixture>
{
    [Fact]
    public async Task With_redis_stopped_a_node_admits_the_limit_divided_by_the_nodes_up()
    {
        const int Limit = 40;
        var bank = new Bank("FS" + Guid.NewGuid().ToString("N")[..8], "Test bank", true, false, null, 8) { ApiRateLimit = Limit };
        var actors = host.Service<SwitchActors>();
        var limiter = host.Service<BankRateLimiter>();
        await OwnRedisHostFixture.UntilListeningAsync(host.RedisPort);
        var second = await SwitchActorSystem.StartAsync(new SwitchOptions.ClusterSettings { SeedNodes = [Akka.Cluster.Cluster.Get(actors.System).SelfAddress.ToString()] });
        try
        {
            await UntilAsync(() => actors.NodesUp() == 2, "the second node did not come up in the host's view");
            await UntilAsync(() => limiter.CountsInRedis, "the limiter does not count in Redis");

            host.Signal("STOP");
            try
            {
                // A settlement finds Redis stopped only when there is something to settle.
                await UntilAsync(() => { limiter.TryAcquire(bank); return !limiter.CountsInRedis; }, "the limiter did not notice that Redis stopped");

                var admitted = AdmittedInOneWindow(limiter, bank);

                Assert.Equal(Limit / 2, admitted);
            }
            finally
            {
                host.Signal("CONT");
            }
        }
        finally
        {
            await second.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>
    /// A burst of 3 × the limit from the start of a fresh one-second window to within it: how many passed (tried again in
    /// the next window if the burst spanned two).
    /// </summary>
    private static int AdmittedInOneWindow(BankRateLimiter limiter, Bank bank)
    {
        while (true)
        {
            var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            SpinWait.SpinUntil(() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() > before);
            var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var admitted = Enumerable.Range(0, 3 * bank.ApiRateLimit).Count(_ => limiter.TryAcquire(bank));
            if (DateTimeOffset.UtcNow.ToUnixTimeSeconds() == started)
            {
                return admitted;
            }
        }
    }

    private static async Task UntilAsync(Func<bool> condition, string failure)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, failure);
            await Task.Delay(50);
        }
    }
}
