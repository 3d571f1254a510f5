using FsCheck;
using FsCheck.Xunit;
using Switch.Monetary;

namespace Switch.Core.Tests.Monetary;

public class MoneyTextTests
{
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;
    private static readonly Currency Jod = Currency.FromAlpha("JOD")!;

    [Theory]
    [InlineData("395.95", 39_595)]
    [InlineData("395.9", 39_590)]
    [InlineData("395", 39_500)]
    [InlineData("0.01", 1)]
    [InlineData("007.50", 750)]
    [InlineData("0", 0)]
    public void Plain_decimal_is_read_as_minor_units(string text, long expected)
    {
        Assert.Equal(AmountProblem.None, MoneyText.TryParse(text, Sar, out var minor));
        Assert.Equal(expected, minor);
    }

    [Fact]
    public void Three_decimals_are_read_for_jod()
    {
        Assert.Equal(AmountProblem.None, MoneyText.TryParse("1.250", Jod, out var minor));
        Assert.Equal(1_250, minor);
    }

    [Theory]
    [InlineData("1e3")]
    [InlineData("1E3")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData(" 1.00")]
    [InlineData("1.00 ")]
    [InlineData("+1.00")]
    [InlineData("1,000.00")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1.2.3")]
    [InlineData("NaN")]
    [InlineData("٣")]
    [InlineData("-")]
    [InlineData("0x10")]
    public void Text_that_is_not_a_plain_decimal_is_malformed(string? text) =>
        Assert.Equal(AmountProblem.Malformed, MoneyText.TryParse(text, Sar, out _));

    [Theory]
    [InlineData("1.234")]
    [InlineData("-1.00")]
    [InlineData("-0")]
    [InlineData("1234567890123456")]
    [InlineData("99999999999999999999999")]
    public void Decimal_no_payment_can_carry_is_invalid(string text) =>
        Assert.Equal(AmountProblem.Invalid, MoneyText.TryParse(text, Sar, out _));

    [Fact]
    public void Fifteen_integer_digits_fit()
    {
        Assert.Equal(AmountProblem.None, MoneyText.TryParse("999999999999999.999", Jod, out var minor));
        Assert.Equal(999_999_999_999_999_999, minor);
    }

    [Theory]
    [InlineData(39_595, "395.95")]
    [InlineData(5, "0.05")]
    [InlineData(0, "0.00")]
    [InlineData(5_000_000, "50000.00")]
    public void Minor_units_are_formatted_with_the_currency_decimals(long minor, string expected) =>
        Assert.Equal(expected, MoneyText.Format(minor, Sar));

    [Fact]
    public void Jod_is_formatted_with_three_decimals() => Assert.Equal("1.250", MoneyText.Format(1_250, Jod));

    [Property]
    public void Formatting_then_reading_gives_the_amount_back(NonNegativeInt amount, bool jod)
    {
        var currency = jod ? Jod : Sar;
        var minor = (long)amount.Get * 977;

        Assert.Equal(AmountProblem.None, MoneyText.TryParse(MoneyText.Format(minor, currency), currency, out var back));
        Assert.Equal(minor, back);
    }

    [Theory]
    [InlineData("SAR", 682, 2)]
    [InlineData("JOD", 400, 3)]
    [InlineData("SYP", 760, 2)]
    public void Known_currencies_have_their_iso_4217_codes(string alpha, int numeric, int decimals)
    {
        Assert.Equal(new Currency(alpha, numeric, decimals), Currency.FromAlpha(alpha));
        Assert.Equal(alpha, Currency.FromNumeric(numeric)!.Alpha);
    }

    [Theory]
    [InlineData("USD")]
    [InlineData("sar")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_currency_is_not_found(string? alpha) => Assert.Null(Currency.FromAlpha(alpha));
}
