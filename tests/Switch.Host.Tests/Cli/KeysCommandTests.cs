using System.Net;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Host.Cli;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Rest;

namespace Switch.Host.Tests.Cli;

/// <summary>
/// <c>switch keys</c>: a key issued at the command line works at once for its role only, stops working when revoked,
/// and both changes are in the audit trail under the account that ran them; a bad request writes nothing.
/// </summary>
[Collection(RestCollection.Name)]
public class KeysCommandTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    private PostgresApiKeys Keys => host.Service<PostgresApiKeys>();

    [Fact]
    public async Task Issued_operator_key_opens_the_operator_route_until_revoked_and_both_are_audited()
    {
        var holder = $"Night operator {Guid.NewGuid():N}";
        var output = new StringWriter();

        Assert.Equal(0, await KeysCommand.IssueAsync(Keys, "operator", null, holder, AuditActor.CommandLine(), output, default));
        var lines = output.ToString().Split('\n');
        var key = lines[1].Trim();
        var id = long.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        using (var operatorClient = new RestClient(host.HttpPort, key))
        {
            Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync("operator/status")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync("billers")).Status);
        }

        Assert.Equal(0, await KeysCommand.RevokeAsync(Keys, id, AuditActor.CommandLine(), new StringWriter(), default));

        using (var revoked = new RestClient(host.HttpPort, key))
        {
            var answer = await revoked.GetAsync("operator/status");
            Assert.Equal((HttpStatusCode.Unauthorized, "63"), (answer.Status, answer.Code));
        }

        Assert.Equal(1, await KeysCommand.RevokeAsync(Keys, id, AuditActor.CommandLine(), new StringWriter(), default));
        Assert.Equal("api_key.issue api_key.revoke", await Postgres.Scalar<string>("""
            select string_agg(action, ' ' order by id) from audit_log
             where subject = 'api_key:' || $1 and actor like 'cli:%' and api_key_id is null and role = 'operator'
               and after ->> 'holder' = $2
            """, id.ToString(System.Globalization.CultureInfo.InvariantCulture), holder));
        var listing = KeysCommand.Format(await Keys.ListAsync(default));
        Assert.Contains($"{id}\toperator\t\t{holder}\trevoked\t", listing, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listing, StringComparison.Ordinal);
        Assert.DoesNotContain(key, await Postgres.Scalar<string>("select coalesce(string_agg(after::text, ''), '') from audit_log"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issued_bank_key_speaks_for_its_bank()
    {
        var bank = await TestData.Bank(Postgres, cap: 1_000);
        var output = new StringWriter();

        Assert.Equal(0, await KeysCommand.IssueAsync(Keys, "bank", bank, "Bank host", AuditActor.CommandLine(), output, default));

        using var client = new RestClient(host.HttpPort, output.ToString().Split('\n')[1].Trim());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("billers")).Status);
    }

    [Theory]
    [InlineData("teller", null, "Someone", "the role is one of")]
    [InlineData("bank", null, "Someone", "needs the bank's code")]
    [InlineData("bank", "99999999999", "Someone", "there is no bank 99999999999")]
    [InlineData("operator", "100001", "Someone", "speaks for no participant")]
    [InlineData("operator", null, " padded ", "the holder is")]
    [InlineData("central_bank", null, "", "the holder is")]
    public async Task Bad_issue_request_is_refused_with_the_reason_and_writes_nothing(string role, string? participant, string holder, string reason)
    {
        var keysBefore = await Postgres.Scalar<long>("select count(*) from api_keys where holder = $1", holder);
        var output = new StringWriter();

        Assert.Equal(2, await KeysCommand.IssueAsync(Keys, role, participant, holder, AuditActor.CommandLine(), output, default));

        Assert.Contains(reason, output.ToString(), StringComparison.Ordinal);
        Assert.Equal(keysBefore, await Postgres.Scalar<long>("select count(*) from api_keys where holder = $1", holder));
    }
}
