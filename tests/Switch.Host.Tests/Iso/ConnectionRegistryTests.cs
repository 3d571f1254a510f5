using Switch.Host.Iso;

namespace Switch.Host.Tests.Iso;

public class ConnectionRegistryTests
{
    [Fact]
    public void Caps_hold_in_total_and_per_address_and_places_come_back_on_close()
    {
        var registry = new ConnectionRegistry();

        Assert.Null(registry.TryOpen("10.0.0.1", maxConnections: 3, maxPerAddress: 2));
        Assert.Null(registry.TryOpen("10.0.0.1", 3, 2));
        Assert.Contains("10.0.0.1", registry.TryOpen("10.0.0.1", 3, 2));
        Assert.Null(registry.TryOpen("10.0.0.2", 3, 2));
        Assert.Contains("all 3", registry.TryOpen("10.0.0.3", 3, 2));
        Assert.Equal(3, registry.Open);

        registry.Closed("10.0.0.1");

        Assert.Null(registry.TryOpen("10.0.0.1", 3, 2));
        Assert.Equal(3, registry.Open);
    }

    [Fact]
    public void A_run_of_refusals_is_logged_once_and_its_end_once()
    {
        var registry = new ConnectionRegistry();

        var firsts = Enumerable.Range(0, 1000).Select(_ => registry.Refused()).ToList();
        var ended = registry.Admitted();
        var afterEnd = registry.Admitted();
        var nextRun = registry.Refused();

        Assert.Equal(1, firsts.Count(f => f));
        Assert.True(firsts[0]);
        Assert.Equal(1000, ended);
        Assert.Null(afterEnd);
        Assert.True(nextRun);
    }
}
