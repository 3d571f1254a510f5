using System.Diagnostics;

namespace Switch.Host.Tests.Cluster;

/// <summary>
/// A node whose actor system ends without being asked (here: downed by the split-brain resolver) must stop being ready
/// and exit non-zero, so its supervisor restarts it, rather than keep running and answer 91 to everything. Two nodes
/// make it happen for real: kill the one with the lower address, and keep-majority, seeing an even split, keeps the
/// side with the lowest address, the dead one, so the survivor downs itself.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class DownedNodeTests(DownedNodeTests.TwoNodes cluster) : IClassFixture<DownedNodeTests.TwoNodes>
{
    [Fact]
    public async Task Node_downed_by_the_resolver_goes_unready_then_exits_non_zero()
    {
        var (lower, higher) = cluster[0].AkkaPort < cluster[1].AkkaPort ? (cluster[0], cluster[1]) : (cluster[1], cluster[0]);
        await higher.WaitReadyAsync();

        await lower.KillAsync();
        var sawUnready = false;
        var deadline = Stopwatch.StartNew();
        while (higher.IsRunning && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            sawUnready |= !await higher.IsReadyAsync() && higher.IsRunning;
            await Task.Delay(50);
        }

        Assert.False(higher.IsRunning, $"the survivor still runs 60 s after its peer was killed; its log ends:\n{higher.Tail()}");
        Assert.True(sawUnready, "readiness never said down before the process exited");
        Assert.Equal(70, higher.ExitCode);
    }

    public sealed class TwoNodes : ClusterFixture
    {
        protected override int Size => 2;
    }
}
