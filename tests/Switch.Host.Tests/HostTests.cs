using System.Net;
using System.Text.Json.Nodes;
using Switch.Adapters.Postgres;
using Switch.Host.Tests.Infrastructure;
using Switch.Participants;

namespace Switch.Host.Tests;

/// <summary>The host's own duties: schema, bank directory, health.</summary>
public class HostTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Migrations_are_applied_once_and_a_second_run_applies_nothing()
    {
        var runner = host.Service<MigrationRunner>();

        var again = await runner.ApplyAsync();

        Assert.Empty(again);
        Assert.NotEmpty(MigrationRunner.Migrations);
    }

    [Fact]
    public async Task Bank_directory_finds_the_demo_banks_and_nothing_else()
    {
        var banks = host.Service<IBankDirectory>();

        var plain = await banks.FindAsync("100001", default);
        var signed = await banks.FindAsync("100002", default);
        var unknown = await banks.FindAsync("123456", default);

        Assert.Equal((true, false), (plain!.IsActive, plain.MacRequired));
        Assert.Equal((true, 32), (signed!.MacRequired, signed.MacKey!.Length));
        Assert.Null(unknown);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    [InlineData("/health/live")]
    public async Task Anonymous_health_probes_say_up_and_nothing_else(string path)
    {
        using var http = new HttpClient();

        var response = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}{path}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["status"], body.Select(p => p.Key));
        Assert.Equal("up", body["status"]!.GetValue<string>());
    }
}
