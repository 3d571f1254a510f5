using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Host.Tests.Infrastructure;
using Switch.Participants;

namespace Switch.Host.Tests.Rest;

/// <summary>An operator's change and its audit record commit together or not at all.</summary>
[Collection(RestCollection.Name)]
public class AuditTrailTests(HostFixture host)
{
    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Change_and_its_audit_record_share_one_transaction(bool commit)
    {
        var bank = await TestData.Bank(Postgres, cap: 1_000);
        var operatorKey = (await host.Service<IBankDirectory>().FindByApiKeyHashAsync(SHA256.HashData(Encoding.UTF8.GetBytes(RestBanks.OperatorKey)), default))!;
        await using var connection = await Postgres.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        await using (var change = new NpgsqlCommand("update banks set net_debit_cap = 2000 where code = $1", connection, transaction))
        {
            change.Parameters.AddWithValue(bank);
            await change.ExecuteNonQueryAsync();
        }

        await PostgresAuditTrail.RecordAsync(transaction, AuditActor.Of(operatorKey), "bank.net_debit_cap.set", bank, """{"netDebitCap": 1000}""", """{"netDebitCap": 2000}""", default);
        await (commit ? transaction.CommitAsync() : transaction.RollbackAsync());

        Assert.Equal(commit ? 2000L : 1000L, await Postgres.Scalar<long>("select net_debit_cap from banks where code = $1", bank));
        Assert.Equal(commit ? 1L : 0L, await Postgres.Scalar<long>("""
            select count(*) from audit_log a join api_keys k on k.id = a.api_key_id
            where a.subject = $1 and a.role = 'operator' and k.holder = 'Demo operator' and a.action = 'bank.net_debit_cap.set'
              and a.before ->> 'netDebitCap' = '1000' and a.after ->> 'netDebitCap' = '2000'
            """, bank));
    }
}
