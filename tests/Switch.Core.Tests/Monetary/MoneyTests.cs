using FsCheck;
using FsCheck.Xunit;
using Switch.Monetary;

namespace Switch.Core.Tests.Monetary;

public class MoneyTests
{
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;
    private static readonly Currency Jod = Currency.FromAlpha("JOD")!;

    /// <summary>No currency the switch settles has no minor unit; the rules must hold for one all the same.</summary>
    private static readonly Currency Yen = new("JPY", 392, 0);

    private static Money Sr(long minor) => new(minor, Sar);

    [Fact]
    public void Amounts_of_one_currency_add_and_subtract_in_minor_units()
    {
        Assert.Equal(Sr(39_600), Sr(39_595) + Sr(5));
        Assert.Equal(Sr(-5), Sr(39_595) - Sr(39_600));
        Assert.Equal(Sr(5), -Sr(-5));
        Assert.Equal(Sr(12_345), Money.Sum(Sar, [Sr(10_000), Sr(2_000), Sr(345)]));
        Assert.Equal(Money.Zero(Jod), Money.Sum(Jod, []));
    }

    [Fact]
    public void Amounts_of_one_currency_compare_by_minor_units()
    {
        Assert.True(Sr(1) < Sr(2) && Sr(2) > Sr(1) && Sr(2) <= Sr(2) && Sr(2) >= Sr(2));
        Assert.False(Sr(2) < Sr(2));
        Assert.Equal(Sr(1), Money.Min(Sr(1), Sr(2)));
        Assert.Equal(Sr(2), Money.Max(Sr(1), Sr(2)));
        Assert.Equal(new[] { Sr(-3), Sr(0), Sr(7) }, new[] { Sr(7), Sr(-3), Sr(0) }.Order());
    }

    [Fact]
    public void Arithmetic_or_comparison_across_currencies_is_refused()
    {
        var sar = Sr(1_000);
        var jod = new Money(1_000, Jod);

        Assert.Throws<CurrencyMismatchException>(() => sar + jod);
        Assert.Throws<CurrencyMismatchException>(() => sar - jod);
        Assert.Throws<CurrencyMismatchException>(() => sar < jod);
        Assert.Throws<CurrencyMismatchException>(() => sar >= jod);
        Assert.Throws<CurrencyMismatchException>(() => Money.Max(sar, jod));
        Assert.Throws<CurrencyMismatchException>(() => Money.Sum(Sar, [sar, jod]));
        Assert.Throws<CurrencyMismatchException>(() => Sr(long.MaxValue) + new Money(1, Jod));
        var refused = Assert.Throws<CurrencyMismatchException>(() => sar.CompareTo(jod));
        Assert.Contains("10.00 SAR", refused.Message, StringComparison.Ordinal);
        Assert.Contains("1.000 JOD", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overflow_throws_instead_of_wrapping()
    {
        Assert.Throws<OverflowException>(() => Sr(long.MaxValue) + Sr(1));
        Assert.Throws<OverflowException>(() => Sr(long.MinValue) - Sr(1));
        Assert.Throws<OverflowException>(() => -Sr(long.MinValue));
        Assert.Throws<OverflowException>(() => Money.Sum(Sar, [Sr(long.MaxValue), Sr(long.MaxValue)]));
    }

    [Fact]
    public void Equal_amounts_are_the_same_minor_units_of_the_same_currency()
    {
        Assert.Equal(Sr(100), new Money(100, Currency.FromNumeric(682)!));
        Assert.NotEqual(Sr(100), new Money(100, Jod));
        Assert.NotEqual(Sr(100), Sr(101));
        Assert.Equal(Sr(100).GetHashCode(), new Money(100, Currency.FromAlpha("SAR")!).GetHashCode());
    }

    [Fact]
    public void A_money_without_currency_cannot_be_made_or_used()
    {
        Assert.Throws<ArgumentNullException>(() => new Money(1, null!));
        Assert.Throws<InvalidOperationException>(() => default(Money) + Sr(1));
        Assert.Throws<InvalidOperationException>(() => default(Money).Format());
    }

    [Theory]
    [InlineData(39_595, "SAR", "395.95 SAR")]
    [InlineData(5, "SAR", "0.05 SAR")]
    [InlineData(0, "SAR", "0.00 SAR")]
    [InlineData(-5, "SAR", "-0.05 SAR")]
    [InlineData(1_250, "JOD", "1.250 JOD")]
    [InlineData(-1_250_001, "JOD", "-1250.001 JOD")]
    [InlineData(7, "SYP", "0.07 SYP")]
    public void Text_has_exactly_the_currency_decimals_and_its_code(long minor, string alpha, string expected) =>
        Assert.Equal(expected, new Money(minor, Currency.FromAlpha(alpha)!).ToString());

    [Fact]
    public void A_currency_without_minor_units_has_no_point()
    {
        Assert.Equal("1500 JPY", new Money(1_500, Yen).ToString());
        Assert.Equal("-3", new Money(-3, Yen).Format());
        Assert.Equal(AmountProblem.None, Money.TryParse("1500", Yen, out var yen));
        Assert.Equal(new Money(1_500, Yen), yen);
        Assert.Equal(AmountProblem.Invalid, Money.TryParse("1500.5", Yen, out _));
    }

    [Fact]
    public void The_most_negative_amount_is_formatted_exactly() =>
        Assert.Equal("-92233720368547758.08", Sr(long.MinValue).Format());

    [Theory]
    [InlineData("395.95", "SAR", 39_595)]
    [InlineData("395.9", "SAR", 39_590)]
    [InlineData("1.25", "JOD", 1_250)]
    [InlineData("0.001", "JOD", 1)]
    public void Text_is_read_in_the_currency_decimals(string text, string alpha, long minor)
    {
        var currency = Currency.FromAlpha(alpha)!;

        Assert.Equal(AmountProblem.None, Money.TryParse(text, currency, out var money));
        Assert.Equal(new Money(minor, currency), money);
    }

    [Theory]
    [InlineData("1e3", AmountProblem.Malformed)]
    [InlineData(null, AmountProblem.Malformed)]
    [InlineData("1.001", AmountProblem.Invalid)]
    [InlineData("-1.00", AmountProblem.Invalid)]
    public void Text_no_payment_can_carry_is_refused_as_money_text_refuses_it(string? text, AmountProblem expected) =>
        Assert.Equal(expected, Money.TryParse(text, Sar, out _));

    [Property]
    public void Formatting_then_reading_gives_the_money_back(NonNegativeInt amount, bool jod)
    {
        var money = new Money((long)amount.Get * 977, jod ? Jod : Sar);

        Assert.Equal(AmountProblem.None, Money.TryParse(money.Format(), money.Currency, out var back));
        Assert.Equal(money, back);
    }

    [Property]
    public void Adding_then_subtracting_gives_the_amount_back(int a, int b) =>
        Assert.Equal(Sr(a), Sr(a) + Sr(b) - Sr(b));
}
