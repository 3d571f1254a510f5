using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Host.Cli;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Rest;
using Switch.Monetary;
using Switch.Transactions;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Iso;

/// <summary>
/// Reversal advices (0420, repeated as 0421, answered 0430) end to end: acknowledged whenever the original exists,
/// applied or recorded as an exception, and the bank's position and the bill following only what was applied.
/// </summary>
[Collection(RestCollection.Name)]
public class IsoReversalTests(HostFixture host)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task Advice_past_the_time_limit_is_acknowledged_recorded_as_an_exception_the_report_lists_and_frees_nothing()
    {
        var (bankCode, account, payment, bank) = await PaidAsync(5_000);
        await using var connection = bank;
        await Scalar<int>("update payments set created_at = now() - interval '2 hours' where bank_code = $1 and reference = $2 returning 1", bankCode, payment.GetString(37)!);

        var advice = await bank.SendAsync(Reversal(payment), Wait);
        var repeat = await bank.SendAsync(Reversal(payment, repeat: true), Wait);
        var report = await host.Service<IPaymentJournal>().ListReversalExceptionsAsync(bankCode, null, default);
        var forBiller = await host.Service<IPaymentJournal>().ListReversalExceptionsAsync(null, "ELECT", default);
        var overCap = await bank.SendAsync(Payment(bankCode, (await TestData.OpenBill(Postgres, amount: 5_000)).Account, 5_000), Wait);

        Assert.Equal(("0430", "00"), (advice.MtiText, advice.GetString(39)));
        Assert.Equal(("0430", "00"), (repeat.MtiText, repeat.GetString(39)));
        var listed = Assert.Single(report);
        Assert.Equal((payment.GetString(37), new Money(5_000, Currency.FromAlpha("SAR")!), ReversalReasons.PastTimeLimit, Edge.Iso),
            (listed.Original.Reference, listed.Amount, listed.Reason, listed.Edge));
        Assert.Contains(forBiller, e => e.SwitchReference == listed.SwitchReference);
        Assert.Contains($"\t{payment.GetString(37)}\t", ReversalsCommand.Format(report));
        Assert.Contains("\t5000\t5000\t682\tpast_time_limit\t", ReversalsCommand.Format(report));
        Assert.Equal("51", overCap.GetString(39));
        Assert.Equal((5_000L, "paid"), await BillAsync(account));
        Assert.Equal((5_000L, 5_000L), await PositionsAsync(bankCode));
    }

    [Fact]
    public async Task Repeat_of_an_applied_advice_with_another_amount_is_94_and_with_the_same_amount_00_changing_nothing()
    {
        var (bankCode, account, payment, bank) = await PaidAsync(5_000);
        await using var connection = bank;

        var advice = await bank.SendAsync(Reversal(payment), Wait);
        var otherAmount = await bank.SendAsync(Reversal(payment, repeat: true).Set(4, 4_999L.ToString("D12")), Wait);
        var sameAmount = await bank.SendAsync(Reversal(payment, repeat: true), Wait);
        var again0420 = await bank.SendAsync(Reversal(payment), Wait);

        Assert.Equal(("00", "94", "00", "00"), (advice.GetString(39), otherAmount.GetString(39), sameAmount.GetString(39), again0420.GetString(39)));
        Assert.Equal(1L, await Scalar<long>("select count(*) from reversals where bank_code = $1 and outcome = 'applied'", bankCode));
        Assert.Equal((0L, "open"), await BillAsync(account));
        Assert.Equal((0L, 0L), await PositionsAsync(bankCode));
    }

    [Fact]
    public async Task First_advice_of_another_amount_is_acknowledged_as_an_exception_and_reverses_nothing()
    {
        var (bankCode, account, payment, bank) = await PaidAsync(5_000);
        await using var connection = bank;

        var advice = await bank.SendAsync(Reversal(payment).Set(4, 4_000L.ToString("D12")), Wait);
        var withOriginalAmount = await bank.SendAsync(Reversal(payment, repeat: true), Wait);

        Assert.Equal(("00", "94"), (advice.GetString(39), withOriginalAmount.GetString(39)));
        Assert.Equal(ReversalReasons.AmountDiffers, Assert.Single(await host.Service<IPaymentJournal>().ListReversalExceptionsAsync(bankCode, null, default)).Reason);
        Assert.Equal((5_000L, "paid"), await BillAsync(account));
        Assert.Equal((5_000L, 5_000L), await PositionsAsync(bankCode));
    }

    [Fact]
    public async Task Advice_whose_field_90_names_another_stan_or_transmission_time_is_25()
    {
        var (bankCode, _, payment, bank) = await PaidAsync(5_000);
        await using var connection = bank;
        var field90 = Reversal(payment).GetString(90)!;

        var otherStan = await bank.SendAsync(Reversal(payment).Set(90, field90[..4] + "999999" + field90[10..]), Wait);
        var otherTime = await bank.SendAsync(Reversal(payment).Set(90, field90[..10] + "0101000000" + field90[20..]), Wait);
        var afterMismatches = await PositionsAsync(bankCode);
        var named = await bank.SendAsync(Reversal(payment), Wait);

        Assert.Equal(("25", "25", "00"), (otherStan.GetString(39), otherTime.GetString(39), named.GetString(39)));
        Assert.Equal((5_000L, 5_000L), afterMismatches);
        Assert.Equal((0L, 0L), await PositionsAsync(bankCode));
    }

    [Fact]
    public async Task Advice_of_no_approved_payment_is_25_and_records_nothing()
    {
        var (bankCode, account, _, bank) = await PaidAsync(5_000);
        await using var connection = bank;
        var declined = Payment(bankCode, account, 5_000);
        Assert.Equal("B1", (await bank.SendAsync(declined, Wait)).GetString(39));

        var unknown = await bank.SendAsync(Reversal(Payment(bankCode, account, 5_000)), Wait);
        var ofDeclined = await bank.SendAsync(Reversal(declined), Wait);

        Assert.Equal(("25", "25"), (unknown.GetString(39), ofDeclined.GetString(39)));
        Assert.Equal(0L, await Scalar<long>("select count(*) from reversals where bank_code = $1", bankCode));
        Assert.Equal((5_000L, 5_000L), await PositionsAsync(bankCode));
    }

    [Fact]
    public async Task Advice_for_a_bill_cancelled_since_gives_its_amount_back_and_leaves_it_cancelled()
    {
        var (bankCode, account, payment, bank) = await PaidAsync(5_000);
        await using var connection = bank;
        await Scalar<int>("update bills set status = 'cancelled' where account_number = $1 returning 1", account);

        var advice = await bank.SendAsync(Reversal(payment), Wait);

        Assert.Equal("00", advice.GetString(39));
        Assert.Equal((0L, "cancelled"), await BillAsync(account));
        Assert.Equal((0L, 0L), await PositionsAsync(bankCode));
    }

    /// <summary>A new bank with a cap of <paramref name="amount"/>, signed on, that has paid a bill of that amount.</summary>
    private async Task<(string BankCode, string Account, IsoMessage Payment, IsoClient Bank)> PaidAsync(long amount)
    {
        var bankCode = await TestData.Bank(Postgres, cap: amount);
        var (account, _) = await TestData.OpenBill(Postgres, amount: amount);
        var bank = await host.SignedOnAsync(bankCode);
        var payment = Payment(bankCode, account, amount);
        Assert.Equal("00", (await bank.SendAsync(payment, Wait)).GetString(39));
        return (bankCode, account, payment, bank);
    }

    private async Task<(long Paid, string Status)> BillAsync(string account) =>
        (await Scalar<long>("select amount_paid from bills where account_number = $1", account), await Scalar<string>("select status from bills where account_number = $1", account));

    /// <summary>The bank's committed position as its position actor and the journal (bank_positions) have it.</summary>
    private async Task<(long Actor, long Journal)> PositionsAsync(string bankCode) =>
        ((await host.PositionWhenSettledAsync(bankCode)).Committed,
         await Scalar<long>("select coalesce((select committed from bank_positions where bank_code = $1), 0)", bankCode));

    private Task<T> Scalar<T>(string sql, params object[] parameters) => Postgres.Scalar<T>(sql, parameters);
}
