using System.Net;
using Npgsql;
using Switch.Billers.Reconciliation;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>
/// /api/v1/biller/reconciliation/{day}: a biller gets the switch's file of its day's payments and reversals, sends its
/// own list back and hears every difference; a file it cannot read is refused with its line numbers.
/// </summary>
[Collection(RestCollection.Name)]
public class RestReconciliationTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task A_biller_gets_its_days_file_and_every_difference_with_its_own_list()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        var code = RestBillerRegistryTests.NewCode();
        Assert.Equal(HttpStatusCode.Created, (await operatorClient.SendAsync(HttpMethod.Post, "operator/billers", RestBillerRegistryTests.Draft(code).ToJsonString())).Status);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var paid = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (account, _) = await TestData.OpenBill(Postgres, code);
            var payment = await bank.PayAsync(RestClient.NewKey(), RestClient.PaymentBody(account, "247.57", code));
            Assert.Equal(HttpStatusCode.Created, payment.Status);
            paid.Add(payment["paymentId"]!);
        }

        Assert.Equal("00", (await bank.ReverseAsync(paid[2], """{"amount": "247.57", "currency": "SAR"}""")).Code);
        var day = await Postgres.Scalar<string>("select to_char(now() at time zone 'UTC', 'YYYY-MM-DD')");
        using var biller = new RestClient(host.HttpPort, await RestBillerRegistryTests.BillerKeyAsync(Postgres, code));

        var file = await biller.GetAsync($"biller/reconciliation/{day}");
        var lines = file.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var (entries, errors, _) = ReconciliationFile.Parse(file.Text);

        Assert.Equal((HttpStatusCode.OK, "text/csv", ReconciliationFile.Header), (file.Status, file.ContentType, lines[0]));
        Assert.Empty(errors);
        Assert.Equal([(paid[0], "payment", "approved"), (paid[1], "payment", "approved"), (paid[2], "payment", "reversed")],
            entries.Where(e => e.Kind == "payment").Select(e => (e.SwitchReference, e.Kind, e.Status)));
        var reversal = Assert.Single(entries, e => e.Kind == "reversal");
        Assert.Equal((paid[2], "applied", 24_757L), (reversal.OriginalReference, reversal.Status, reversal.Amount.Minor));

        // The biller's own list: the first payment missing, the second for another amount, one it alone has.
        var theirs = string.Join('\n', lines.Where(l => !l.StartsWith(paid[0], StringComparison.Ordinal))
            .Select(l => l.StartsWith(paid[1], StringComparison.Ordinal) ? l.Replace(",247.57,", ",247.50,", StringComparison.Ordinal) : l)
            .Append($"SWEXTRA0001,payment,approved,,100001,0000000001,,10.00,SAR,{day}T10:00:00Z")) + "\n";
        var compared = await biller.SendAsync(HttpMethod.Post, $"biller/reconciliation/{day}", theirs, "text/csv");
        var unreadable = await biller.SendAsync(HttpMethod.Post, $"biller/reconciliation/{day}",
            $"{ReconciliationFile.Header}\n{lines[1]}\nSW1,payment,approved\n", "text/csv");
        var byBank = await bank.GetAsync($"biller/reconciliation/{day}");

        Assert.Equal(HttpStatusCode.OK, compared.Status);
        Assert.Equal([(paid[0], "missing"), (paid[1], "amount"), ("SWEXTRA0001", "extra")],
            compared.Json["differences"]!.AsArray().Select(d => (d!["switchReference"]!.GetValue<string>(), d["kind"]!.GetValue<string>())));
        Assert.Equal(("247.57 SAR", "247.50 SAR"), (compared.Json["differences"]![1]!["ours"]!.GetValue<string>(), compared.Json["differences"]![1]!["theirs"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.BadRequest, "30", 3), (unreadable.Status, unreadable.Code, unreadable.Json["lines"]![0]!["line"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.Forbidden, byBank.Status);
    }
}
