using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Host.Tests.Infrastructure;
using Switch.Transactions;

namespace Switch.Host.Tests;

/// <summary>The check at start: an approval whose commit landed after its bank was answered 91 is that 91 before anyone is served.</summary>
public class LateCommitCheckTests
{
    [Fact]
    public async Task Approval_committed_after_its_answer_by_is_journaled_91_before_the_switch_serves()
    {
        await using var postgres = NpgsqlDataSource.Create(HostFixture.RequireServers());
        await new MigrationRunner(postgres, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        var reference = Guid.NewGuid().ToString("N")[..12];
        // The check finds recent approvals by their switch reference, which starts with the time it was made.
        var switchReference = new SwitchReferences(await new NodeIdentity(postgres).JoinAsync(default), TimeProvider.System).Next();
        // Written by SQL as a switch that died before it could decline it would have left it: approved, committed after its answer-by.
        await using (var insert = postgres.CreateCommand("""
            insert into payments (bank_code, reference, local_date, fingerprint, biller_code, account_number, amount, currency, channel,
                                  response_code, switch_reference, answer_by)
            values ('100001', $1, '1123', '\x00', 'TOPUP', '0550000000', 500, 682, 'MB', '00', $2, now() - interval '1 minute')
            """))
        {
            insert.Parameters.AddWithValue(reference);
            insert.Parameters.AddWithValue(switchReference);
            await insert.ExecuteNonQueryAsync();
        }

        var host = new HostFixture();
        await host.InitializeAsync();
        try
        {
            await using var read = postgres.CreateCommand("select response_code from payments where bank_code = '100001' and reference = $1");
            read.Parameters.AddWithValue(reference);
            Assert.Equal("91", await read.ExecuteScalarAsync());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
