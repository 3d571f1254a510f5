using Akka.Actor;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Host.Actors;
using Switch.Host.Tests.Infrastructure;
using Switch.Positions;

namespace Switch.Host.Tests.Positions;

/// <summary>A real one-node cluster with sharded position actors, rebuilt from the real journal in PostgreSQL.</summary>
public sealed class PositionShardingTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly NpgsqlDataSource _postgres = NpgsqlDataSource.Create(HostFixture.RequireServers());
    private ActorSystem _system = null!;
    private IActorRef _positions = null!;

    public async Task InitializeAsync()
    {
        await new MigrationRunner(_postgres, Microsoft.Extensions.Logging.Abstractions.NullLogger<MigrationRunner>.Instance).ApplyAsync();
        _system = await SwitchActorSystem.StartAsync();
        _positions = PositionSharding.Start(_system, new PostgresPositionSource(_postgres), new PositionSettings(), TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _system.Terminate();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Two_hundred_simultaneous_reservations_against_a_cap_of_120_grant_exactly_120()
    {
        var bank = await NewBank(cap: 120);

        var answers = await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(i => _positions.Ask<Reservation>(new Reserve(bank, $"p{i}", 1, InTime), Wait)));
        var snapshot = await _positions.Ask<PositionSnapshot>(new GetPosition(bank), Wait);

        Assert.Equal(120, answers.Count(a => a.Granted));
        Assert.Equal(120, snapshot.Reserved);
    }

    [Fact]
    public async Task Position_is_rebuilt_from_approved_unreversed_payments_in_the_journal()
    {
        var bank = await NewBank(cap: 1_000_000);
        await Journal(bank, "r1", 10_000, "00", reversed: false);
        await Journal(bank, "r2", 20_000, "00", reversed: true);
        await Journal(bank, "r3", 40_000, "51", reversed: false);

        var snapshot = await _positions.Ask<PositionSnapshot>(new GetPosition(bank), Wait);

        Assert.Equal(new PositionSnapshot(bank, 1_000_000, 10_000, 0), snapshot);
    }

    [Fact]
    public async Task Confirmed_reservations_count_against_the_cap_and_released_ones_do_not()
    {
        var bank = await NewBank(cap: 100);
        await _positions.Ask<Reservation>(new Reserve(bank, "a", 60, InTime), Wait);
        await _positions.Ask<Reservation>(new Reserve(bank, "b", 40, InTime), Wait);
        _positions.Tell(new Confirm(bank, "a"));
        _positions.Tell(new Release(bank, "b"));

        var fits = await _positions.Ask<Reservation>(new Reserve(bank, "c", 40, InTime), Wait);
        var over = await _positions.Ask<Reservation>(new Reserve(bank, "d", 1, InTime), Wait);

        Assert.True(fits.Granted);
        Assert.False(over.Granted);
        Assert.Equal(new PositionSnapshot(bank, 100, 60, 40), await _positions.Ask<PositionSnapshot>(new GetPosition(bank), Wait));
    }

    private static DateTimeOffset InTime => DateTimeOffset.UtcNow + Wait;

    private async Task<string> NewBank(long cap)
    {
        var code = Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var command = _postgres.CreateCommand("insert into banks (code, name_en, name_ar, net_debit_cap) values ($1, 'Test bank', 'بنك', $2)");
        command.Parameters.AddWithValue(code);
        command.Parameters.AddWithValue(cap);
        await command.ExecuteNonQueryAsync();
        return code;
    }

    private async Task Journal(string bank, string reference, long amount, string code, bool reversed)
    {
        await using var command = _postgres.CreateCommand("""
            with paid as (
                insert into payments (bank_code, reference, fingerprint, biller_code, account_number, amount, currency, channel, response_code)
                values ($1, $2, '\x01', 'ELECT', '0000000003', $3, 682, 'ATM', $4)
                returning bank_code, reference, local_date, amount
            )
            insert into reversals (switch_reference, bank_code, reference, local_date, amount, outcome, edge)
            select 'RV' || bank_code || reference, bank_code, reference, local_date, amount, 'applied', 'rest' from paid where $5
            """);
        command.Parameters.AddWithValue(bank);
        command.Parameters.AddWithValue(reference);
        command.Parameters.AddWithValue(amount);
        command.Parameters.AddWithValue(code);
        command.Parameters.AddWithValue(reversed);
        await command.ExecuteNonQueryAsync();
    }
}
