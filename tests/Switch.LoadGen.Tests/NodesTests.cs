using Switch.LoadGen;

namespace Switch.LoadGen.Tests;

public class NodesTests
{
    [Fact]
    public void Iso_nodes_are_host_port_pairs_in_the_order_given()
    {
        Assert.Equal([("127.0.0.1", 5800), ("10.0.0.2", 5801), ("switch-3", 5802)], Nodes.ParseIso("127.0.0.1:5800, 10.0.0.2:5801,switch-3:5802"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:70000")]
    [InlineData(":5800")]
    [InlineData(" , ")]
    public void An_iso_node_that_is_not_host_port_is_refused_by_name(string list)
    {
        var refusal = Assert.Throws<FormatException>(() => Nodes.ParseIso(list));
        Assert.True(list.Trim(' ', ',').Length == 0 || refusal.Message.Contains(list.Split(',')[0].Trim(), StringComparison.Ordinal), refusal.Message);
    }

    [Fact]
    public void Http_nodes_end_in_a_slash_so_api_paths_resolve_under_them()
    {
        var nodes = Nodes.ParseHttp("http://127.0.0.1:8080,https://switch-2:8443/");

        Assert.Equal(["http://127.0.0.1:8080/api/v1/payments", "https://switch-2:8443/api/v1/payments"], nodes.Select(n => new Uri(n, "api/v1/payments").ToString()));
        Assert.Throws<FormatException>(() => Nodes.ParseHttp("ftp://x"));
    }
}
