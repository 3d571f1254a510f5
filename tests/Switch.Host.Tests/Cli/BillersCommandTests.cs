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
    [Fact]
    public async Task Reconcile_prints_the_days_file_and_the_differences_with_the_billers_exit_1_when_there_are_some()
    {
        var code = RestBillerRegistryTests.NewCode();
        var me = new AuditActor(null, "operator", $"cli:alice-{code}@host");
        Assert.Equal(0, await BillersCommand.CreateAsync(Registry, BillersCommand.ReadDraft(RestBillerRegistryTests.Draft(code).ToJsonString())!, me, new StringWriter(), default));
        var (account, _) = await TestData.OpenBill(Postgres, code);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var paid = (await bank.PayAsync(RestClient.NewKey(), RestClient.PaymentBody(account, "247.57", code)))["paymentId"]!;
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var reconciliation = host.Service<PostgresReconciliation>();
        var file = new StringWriter();
        var same = new StringWriter();
        var different = new StringWriter();

        Assert.Equal(0, await BillersCommand.ReconcileAsync(reconciliation, code, day, null, file, default));
        Assert.Equal(0, await BillersCommand.ReconcileAsync(reconciliation, code, day, file.ToString(), same, default));
        Assert.Equal(1, await BillersCommand.ReconcileAsync(reconciliation, code, day, file.ToString().Replace(paid, "SWOTHER", StringComparison.Ordinal), different, default));
        Assert.Equal(2, await BillersCommand.ReconcileAsync(reconciliation, code, day, "not a file", new StringWriter(), default));

        Assert.StartsWith(Billers.Reconciliation.ReconciliationFile.Header + "\n" + paid + ",payment,approved,", file.ToString(), StringComparison.Ordinal);
        Assert.Equal("1 entries at the switch, 1 in the biller's file, 0 differences", same.ToString().Trim());
        Assert.Equal([$"missing\t{paid}", "extra\tSWOTHER"], different.ToString().Split('\n').Take(2).Select(l => string.Join('\t', l.Split('\t').Take(2))));
    }
}
