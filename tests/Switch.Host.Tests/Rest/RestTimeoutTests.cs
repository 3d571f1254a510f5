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
    public async Task Payment_not_committed_in_time_is_503_91_and_its_repeat_gets_what_the_journal_holds()
    {
        var (account, _) = await TestData.OpenBill(Postgres, amount: 24_757);
        using var bank = new RestClient(host.HttpPort, RestBanks.PlainKey);
        var key = NewKey();

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
        var journaled = await JournaledCodeAsync(key);
        var repeat = await bank.PayAsync(key, PaymentBody(account, "247.57"));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "91"), (answer.Status, answer.Code));
        Assert.InRange(waited, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        // Whether the late commit stands or is journaled as the 91 the bank heard, its repeat says what the journal holds.
        Assert.Equal((journaled, true), (repeat.Code, repeat.Replayed));
        Assert.Equal(journaled == "00" ? HttpStatusCode.Created : HttpStatusCode.ServiceUnavailable, repeat.Status);
    }

    private async Task<string> JournaledCodeAsync(string key)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var command = Postgres.CreateCommand("select response_code from payments where bank_code = '100001' and reference = $1 and local_date = ''");
            command.Parameters.AddWithValue(key);
            if (await command.ExecuteScalarAsync() is string code)
            {
                return code;
            }

            Assert.True(attempt < 100, "the payment was never journaled");
            await Task.Delay(100);
        }
    }
}
