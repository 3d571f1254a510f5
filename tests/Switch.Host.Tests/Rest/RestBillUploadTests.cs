using System.Net;
using Npgsql;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>
/// Hosted bills uploaded by their biller with its own key: applied whole or not at all, the same file twice changes
/// nothing, later files update and cancel, and a bill that has payments is never silently replaced.
/// </summary>
[Collection(RestCollection.Name)]
public class RestBillUploadTests(HostFixture host)
{
    private const string Header = "bill_number,account_number,customer_name,amount_due,due_date,expiry_date,action\n";

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    private async Task<(string Code, RestClient Biller)> HostedBillerAsync()
    {
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);
        var code = RestBillerRegistryTests.NewCode();
        await operatorClient.SendAsync(HttpMethod.Post, "operator/billers", RestBillerRegistryTests.Draft(code).ToJsonString());
        var key = $"test-biller-{Guid.NewGuid():N}";
        await using var command = Postgres.CreateCommand("insert into api_keys (key_hash, role, biller_code, holder) values ($1, 'biller', $2, 'Test biller')");
        command.Parameters.AddWithValue(RestBanks.Hash(key));
        command.Parameters.AddWithValue(code);
        await command.ExecuteNonQueryAsync();
        return (code, new RestClient(host.HttpPort, key));
    }

    private static string Due => DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private Task<RestClient.Answer> UploadAsync(RestClient biller, string body, string mediaType = "text/csv") =>
        biller.SendAsync(HttpMethod.Post, "biller/bill-uploads", body, mediaType);

    [Fact]
    public async Task A_file_is_applied_whole_once_and_a_later_file_updates_and_cancels()
    {
        var (code, biller) = await HostedBillerAsync();
        using var _ = biller;
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var first = Header + $"B-1,1000000001,Ali,100.00,{Due},,\nB-2,1000000002,Layla,200.00,{Due},,\n";

        var applied = await UploadAsync(biller, first);
        var again = await UploadAsync(biller, first);
        var inquiry = await bank.GetAsync($"billers/{code}/accounts/1000000001/bill?channel=IB");
        var second = await UploadAsync(biller, Header + $"B-1,1000000001,Ali,150.00,{Due},,\nB-2,,,,,,cancel\nB-3,1000000003,Omar,5.00,{Due},,\n");
        var updated = await bank.GetAsync($"billers/{code}/accounts/1000000001/bill?channel=IB");
        var cancelled = await bank.GetAsync($"billers/{code}/accounts/1000000002/bill?channel=IB");
        var json = await UploadAsync(biller, $$"""{"bills":[{"billNumber":"B-4","accountNumber":"1000000004","customerName":"Yousef","amountDue":"9.99","dueDate":"{{Due}}"}]}""", "application/json");

        Assert.Equal(HttpStatusCode.Created, applied.Status);
        Assert.Equal((2, 2), (applied.Json["lines"]!.GetValue<int>(), applied.Json["created"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.True(again.Json["replayed"]!.GetValue<bool>());
        Assert.Equal(applied.Json["uploadId"]!.GetValue<long>(), again.Json["uploadId"]!.GetValue<long>());
        Assert.Equal(("100.00", "B-1"), (inquiry["amountDue"], inquiry["billNumber"]));
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal((1, 1, 1), (second.Json["created"]!.GetValue<int>(), second.Json["updated"]!.GetValue<int>(), second.Json["cancelled"]!.GetValue<int>()));
        Assert.Equal("150.00", updated["amountDue"]);
        Assert.Equal("14", cancelled.Code);
        Assert.Equal((HttpStatusCode.Created, 1), (json.Status, json.Json["created"]!.GetValue<int>()));
        Assert.Equal(4L, await Postgres.Scalar<long>("select count(*) from bills where biller_code = $1", code));
    }

    [Fact]
    public async Task A_malformed_file_is_rejected_whole_with_its_line_numbers()
    {
        var (code, biller) = await HostedBillerAsync();
        using var _ = biller;

        var refused = await UploadAsync(biller, Header + $"B-1,1000000001,Ali,100.00,{Due},,\nB-2,12,Layla,200.00,{Due},,\nB-3,1000000003,Omar,abc,{Due},,\n");
        var wrongType = await UploadAsync(biller, Header, "text/plain");

        Assert.Equal((HttpStatusCode.BadRequest, "30"), (refused.Status, refused.Code));
        var errors = refused.Json["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("line 3: account_number", errors[0]);
        Assert.StartsWith("line 4: amount_due", errors[1]);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.Status);
        Assert.Equal(0L, await Postgres.Scalar<long>("select count(*) from bills where biller_code = $1", code));
    }

    [Fact]
    public async Task A_bill_with_payments_is_never_replaced_and_the_file_with_it_changes_nothing()
    {
        var (code, biller) = await HostedBillerAsync();
        using var _ = biller;
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        await UploadAsync(biller, Header + $"B-1,1000000001,Ali,100.00,{Due},,\nB-2,1000000002,Layla,200.00,{Due},,\n");
        var paid = await bank.PayAsync(RestClient.NewKey(), RestClient.PaymentBody("1000000001", "100.00", code));

        var replace = await UploadAsync(biller, Header + $"B-2,1000000002,Layla,250.00,{Due},,\nB-1,1000000001,Ali,80.00,{Due},,\n");
        var cancel = await UploadAsync(biller, Header + "B-1,,,,,,cancel\n");
        var untouched = (await bank.GetAsync($"billers/{code}/accounts/1000000002/bill?channel=IB"))["amountDue"];
        var same = await UploadAsync(biller, Header + $"B-1,1000000001,Ali,100.00,{Due},,\nB-2,1000000002,Layla,250.00,{Due},,\n");

        Assert.Equal("00", paid.Code);
        Assert.Equal(HttpStatusCode.Conflict, replace.Status);
        Assert.Contains("line 3: bill B-1 has payments", replace["detail"]);
        Assert.Equal(HttpStatusCode.Conflict, cancel.Status);
        Assert.Equal("200.00", untouched);
        Assert.Equal((HttpStatusCode.Created, 1, 1), (same.Status, same.Json["updated"]!.GetValue<int>(), same.Json["unchanged"]!.GetValue<int>()));
        Assert.Equal("paid", await Postgres.Scalar<string>("select status from bills where biller_code = $1 and bill_number = 'B-1'", code));
    }

    [Fact]
    public async Task Only_a_billers_own_key_uploads_and_only_for_a_hosted_biller()
    {
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        using var operatorClient = new RestClient(host.HttpPort, RestBanks.OperatorKey);

        var byBank = await UploadAsync(bank, Header);
        var byOperator = await UploadAsync(operatorClient, Header);

        Assert.Equal((HttpStatusCode.Forbidden, "57"), (byBank.Status, byBank.Code));
        Assert.Equal((HttpStatusCode.Forbidden, "57"), (byOperator.Status, byOperator.Code));
    }
}
