using System.Net;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Host.Cli;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Rest;

namespace Switch.Host.Tests.Cli;

/// <summary>
/// <c>switch billers</c>: the registry at the command line, validated like the API (a bad file writes nothing, exit 2),
/// audited under the account that ran it, and the same maker-checker rule: the account that asked for a settlement
/// account cannot approve it.
/// </summary>
[Collection(RestCollection.Name)]
public class BillersCommandTests(HostFixture host)
{
    private PostgresBillerRegistry Registry => host.Service<PostgresBillerRegistry>();

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Create_from_a_file_show_list_suspend_and_a_settlement_change_needing_another_operator()
    {
        var code = RestBillerRegistryTests.NewCode();
        var me = new AuditActor(null, "operator", $"cli:alice-{code}@host");
        var other = new AuditActor(null, "operator", $"cli:bob-{code}@host");
        var draft = BillersCommand.ReadDraft(RestBillerRegistryTests.Draft(code, "prepaid").ToJsonString())!;
        var output = new StringWriter();

        Assert.Equal(0, await BillersCommand.CreateAsync(Registry, draft, me, output, default));
        Assert.Equal(3, await BillersCommand.CreateAsync(Registry, draft, me, output, default));
        Assert.Equal(0, await BillersCommand.ShowAsync(Registry, code, output, default));
        Assert.Equal(0, await BillersCommand.ListAsync(Registry, output, default));
        Assert.Equal(0, await BillersCommand.SetActiveAsync(Registry, code, false, me, output, default));
        Assert.Equal(0, await BillersCommand.RequestSettlementAsync(Registry, code, "SA0380000000608010167519", "100001", me, output, default));
        Assert.Equal(3, await BillersCommand.DecideAsync(Registry, code, true, me, output, default));
        Assert.Equal(0, await BillersCommand.DecideAsync(Registry, code, false, other, output, default));

        var text = output.ToString();
        Assert.Contains($"biller {code} created", text);
        Assert.Contains("\"presentment\": \"prepaid\"", text);
        Assert.Contains($"{code}\tactive\twater\tprepaid\tANY\tSAR", text);
        Assert.Contains("another operator than the one who asked", text);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        Assert.Equal("92", (await bank.GetAsync($"billers/{code}/accounts/0123456789/bill?channel=IB")).Code);
        Assert.Equal("biller.create biller.suspend biller.settlement.request biller.settlement.reject", await Postgres.Scalar<string>(
            "select string_agg(action, ' ' order by id) from audit_log where subject = 'biller:' || $1 and api_key_id is null", code));
        Assert.Null((await Registry.FindAsync(code, default))!.Settlement);
    }

    [Fact]
    public async Task A_bad_file_or_bad_iban_writes_nothing_and_exits_2()
    {
        var code = RestBillerRegistryTests.NewCode();
        var output = new StringWriter();
        var who = new AuditActor(null, "operator", "cli:test@host");

        Assert.Null(BillersCommand.ReadDraft("{\"code\": 12}"));
        Assert.Null(BillersCommand.ReadDraft("{\"code\": \"A\", \"code\": \"B\"}"));
        Assert.Equal(2, await BillersCommand.CreateAsync(Registry, BillersCommand.ReadDraft($"{{\"code\":\"{code}\"}}")!, who, output, default));
        Assert.Equal(1, await BillersCommand.ShowAsync(Registry, code, output, default));
        Assert.Equal(2, await BillersCommand.RequestSettlementAsync(Registry, "ELECT", "SA0380000000608010167518", "100001", who, output, default));

        Assert.Contains("error: nameEn must be", output.ToString());
        Assert.Contains("nothing was changed", output.ToString());
        Assert.Null(await Registry.FindAsync(code, default));
        Assert.Null((await Registry.FindAsync("ELECT", default))!.PendingSettlement);
    }
}
