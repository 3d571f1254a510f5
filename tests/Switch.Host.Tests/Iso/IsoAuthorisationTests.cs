using Npgsql;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Rest;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Iso;

/// <summary>Over ISO 8583 too, a bank acts on its own payments only: its identity is its signed-on connection, never field 32.</summary>
[Collection(RestCollection.Name)]
public class IsoAuthorisationTests(HostFixture host)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Reversal_carrying_another_banks_rrn_and_date_is_25_and_reverses_nothing()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        var otherBank = await TestData.Bank(Postgres, cap: 100_000_000);
        await using var owner = await host.SignedOnAsync(otherBank);
        await using var intruder = await host.SignedOnAsync(PlainBank);
        var payment = Payment(otherBank, account, amount);
        Assert.Equal("00", (await owner.SendAsync(payment, Wait)).GetString(39));

        var reversal = await intruder.SendAsync(Reversal(payment).Set(32, PlainBank), Wait);

        Assert.Equal("25", reversal.GetString(39));
        Assert.Equal(0L, await Scalar<long>("select count(*) from reversals where reference = $1", payment.GetString(37)!));
    }

    [Fact]
    public async Task Reversal_naming_another_bank_in_field_32_is_63_and_reverses_nothing()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        var otherBank = await TestData.Bank(Postgres, cap: 100_000_000);
        await using var owner = await host.SignedOnAsync(otherBank);
        await using var intruder = await host.SignedOnAsync(PlainBank);
        var payment = Payment(otherBank, account, amount);
        Assert.Equal("00", (await owner.SendAsync(payment, Wait)).GetString(39));

        var reversal = await intruder.SendAsync(Reversal(payment), Wait);

        Assert.Equal("63", reversal.GetString(39));
        Assert.Equal(0L, await Scalar<long>("select count(*) from reversals where reference = $1", payment.GetString(37)!));
    }

    [Fact]
    public async Task Payment_naming_another_bank_in_field_32_is_63_and_journals_nothing()
    {
        var (account, amount) = await TestData.OpenBill(Postgres);
        var otherBank = await TestData.Bank(Postgres, cap: 100_000_000);
        await using var intruder = await host.SignedOnAsync(PlainBank);
        var payment = Payment(otherBank, account, amount);

        var response = await intruder.SendAsync(payment, Wait);

        Assert.Equal("63", response.GetString(39));
        Assert.Equal(0L, await Scalar<long>("select count(*) from payments where reference = $1", payment.GetString(37)!));
        Assert.Equal(0L, await Scalar<long>("select amount_paid from bills where account_number = $1", account));
    }

    private Task<T> Scalar<T>(string sql, params object[] parameters) => Postgres.Scalar<T>(sql, parameters);
}
