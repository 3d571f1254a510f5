using System.Diagnostics;
using System.Net;
using Npgsql;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Rest.RestClient;

namespace Switch.Host.Tests.Rest;

/// <summary>A switch that must answer within one second.</summary>
public sealed class ShortTimeoutHostFixture : HostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Switch:RequestTimeout", "00:00:01")];
}

[Collection(RestCollection.Name)]
public class RestTimeoutTests(ShortTimeoutHostFixture host) : IClassFixture<ShortTimeoutHostFixture>
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Payment_not_committed_in_time_is_503_91_journaled_as_91_and_its_repeat_hears_91()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var key = NewKey();
        // The payment path compiled first (the switch runs without tiered compilation, and a loaded machine takes seconds
        // for that): what is timed is the stall alone. Its answer does not matter here.
        var (warmAccount, _) = await TestData.OpenBill(Postgres, amount: 1_000);
        await bank.PayAsync(NewKey(), PaymentBody(warmAccount, "10.00"));

        // An uncommitted row under the same key makes the journal's insert wait for this transaction: a stalled commit.
        await using var blocker = await Postgres.OpenConnectionAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("""
            insert into payments (bank_code, reference, local_date, fingerprint, biller_code, account_number, amount, currency, channel, response_code)
            values ('100001', $1, '', '\x00', 'ELECT', $2, 1, 682, 'IB', '05')
            """, blocker, transaction))
        {
            insert.Parameters.AddWithValue(key);
            insert.Parameters.AddWithValue(account);
            await insert.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        var answer = await bank.PayAsync(key, PaymentBody(account, "247.57"));
        var waited = clock.Elapsed;
        await transaction.RollbackAsync();
        // The repeat waits for the stalled original to finish, then hears what the journal holds.
        var repeat = await RepeatUntilReplayedAsync(bank, key, PaymentBody(account, "247.57"));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "91"), (answer.Status, answer.Code));
        Assert.InRange(waited, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "91", true), (repeat.Status, repeat.Code, repeat.Replayed));
        Assert.Equal((0L, "91"), (await Postgres.Scalar<long>("select amount_paid from bills where account_number = $1", account),
            await Postgres.Scalar<string>("select response_code from payments where bank_code = '100001' and reference = $1 and local_date = ''", key)));
    }

    /// <summary>Repeats the payment until the answer comes from the journal rather than from a timeout.</summary>
    private static async Task<Answer> RepeatUntilReplayedAsync(RestClient bank, string key, System.Text.Json.Nodes.JsonObject body)
    {
        for (var attempt = 0; ; attempt++)
        {
            var answer = await bank.PayAsync(key, body);
            if (answer.Replayed || attempt == 20)
            {
                return answer;
            }

            await Task.Delay(250);
        }
    }
}
