using Switch.LoadGen;

namespace Switch.LoadGen.Tests;

public class NodeListTests
{
    [Fact]
    public void Iso_endpoints_are_host_port_pairs_in_the_order_given()
    {
        var nodes = NodeList.IsoEndpoints("10.0.0.11:5800, node-b.example:5801,[::1]:5802");

        Assert.Equal([("10.0.0.11", 5800), ("node-b.example", 5801), ("::1", 5802)], nodes.Select(n => (n.Host, n.Port)));
    }

    [Theory]
    [InlineData("10.0.0.11")]
    [InlineData("10.0.0.11:0")]
    [InlineData("10.0.0.11:70000")]
    [InlineData(":5800")]
    [InlineData(" , ")]
    public void A_malformed_iso_list_is_refused_naming_the_entry(string list)
    {
        var refused = Assert.Throws<ArgumentException>(() => NodeList.IsoEndpoints(list));

        Assert.Contains(list.Trim(' ', ',') is { Length: > 0 } entry ? entry : "empty", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Http_bases_end_with_a_slash_and_must_be_http()
    {
        Assert.Equal(["http://10.0.0.11:8080/", "https://b.example/switch/"], NodeList.HttpBases("http://10.0.0.11:8080,https://b.example/switch/").Select(u => u.ToString()));
        Assert.Throws<ArgumentException>(() => NodeList.HttpBases("ftp://10.0.0.11"));
    }
}
