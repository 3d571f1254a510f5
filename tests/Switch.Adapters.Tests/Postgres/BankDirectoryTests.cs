using Switch.Adapters.Postgres;
using Switch.Adapters.Secrets;

namespace Switch.Adapters.Tests.Postgres;

public class BankDirectoryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Unknown_participant_codes_are_not_cached()
    {
        var directory = new PostgresBankDirectory(postgres.DataSource, TimeProvider.System, TimeSpan.FromHours(1), Keys());
        var code = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var before = await directory.FindAsync(code, default);
        await postgres.ScalarAsync<int>("insert into banks (code, name_en, name_ar) values ($1, 'Test', 'بنك') returning 1", code);
        var after = await directory.FindAsync(code, default);

        Assert.Null(before);
        Assert.Equal(code, after?.Code);
    }

    [Fact]
    public async Task Known_banks_are_cached()
    {
        var directory = new PostgresBankDirectory(postgres.DataSource, TimeProvider.System, TimeSpan.FromHours(1), Keys());
        var code = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await postgres.ScalarAsync<int>("insert into banks (code, name_en, name_ar) values ($1, 'Test', 'بنك') returning 1", code);

        var first = await directory.FindAsync(code, default);
        await postgres.ScalarAsync<int>("update banks set name_en = 'Renamed' where code = $1 returning 1", code);
        var second = await directory.FindAsync(code, default);

        Assert.Equal("Test", first?.Name);
        Assert.Equal("Test", second?.Name);
    }

    /// <summary>The banks created here have no MAC keys; a key store under any KEK serves them.</summary>
    private BankKeyStore Keys() => new(postgres.DataSource, KeyEncryptionKey.FromBytes(new byte[KeyEncryptionKey.Length]), TimeProvider.System);
}
