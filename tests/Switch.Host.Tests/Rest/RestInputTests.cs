using Switch.Host.Rest;

namespace Switch.Host.Tests.Rest;

/// <summary>The REST edge's input limits as pure rules: length, character set, never a control character, never the input in the answer.</summary>
public class RestInputTests
{
    [Theory]
    [InlineData("ELECT")]
    [InlineData("NOSUCH")]
    [InlineData("AB12")]
    public void Biller_codes_of_capitals_and_digits_pass(string code) => Assert.Null(RestInput.Problem("billerCode", code, RestInput.BillerCode));

    [Theory]
    [InlineData("ELE\0CT")]
    [InlineData("ELECT\u0085")]
    [InlineData("elect")]
    [InlineData("")]
    [InlineData("ABCDEFGHIJKLM")]
    public void Biller_codes_with_control_characters_lower_case_or_too_long_fail(string code) =>
        Assert.Equal("billerCode must be 1 to 12 characters of A-Z 0-9", RestInput.Problem("billerCode", code, RestInput.BillerCode));

    [Fact]
    public void Account_numbers_are_printable_ascii_up_to_64_characters()
    {
        Assert.Null(RestInput.Problem("accountNumber", new string('7', 64), RestInput.AccountNumber));
        Assert.Null(RestInput.Problem("accountNumber", "AB-12/3", RestInput.AccountNumber));
        Assert.NotNull(RestInput.Problem("accountNumber", new string('7', 65), RestInput.AccountNumber));
        Assert.NotNull(RestInput.Problem("accountNumber", new string('7', 60_000), RestInput.AccountNumber));
        Assert.NotNull(RestInput.Problem("accountNumber", "0000\t00005", RestInput.AccountNumber));
        Assert.NotNull(RestInput.Problem("accountNumber", "00000000\u00e905", RestInput.AccountNumber));
    }

    [Theory]
    [InlineData('\0')]
    [InlineData('\u001f')]
    [InlineData('\u007f')]
    [InlineData('\u0080')]
    [InlineData('\u009f')]
    public void No_rule_allows_a_c0_or_c1_control_character(char control)
    {
        var rules = new[]
        {
            RestInput.BillerCode, RestInput.AccountNumber, RestInput.BillNumber, RestInput.PayerAccount, RestInput.Channel, RestInput.Amount,
            RestInput.Currency, RestInput.IdempotencyKey, RestInput.PaymentId, RestInput.ApiKey, RestInput.Unread,
        };

        Assert.All(rules, rule => Assert.NotNull(RestInput.Problem("x", $"A{control}", rule)));
        Assert.True(RestInput.IsControl(control));
    }

    [Fact]
    public void Unread_parameters_may_hold_any_text_but_controls_and_bulk()
    {
        Assert.Null(RestInput.Problem("x", "قيمة", RestInput.Unread));
        Assert.NotNull(RestInput.Problem("x", new string('a', 257), RestInput.Unread));
    }

    [Fact]
    public void Absent_optional_fields_pass_and_the_first_problem_names_its_field_not_its_value()
    {
        var request = new PaymentRequest("ELECT", "0000000005", "IB", "10.00", "SAR", BillNumber: null, PayerAccount: "SA03\08000");

        var problem = RestInput.Problem(request);

        Assert.Equal("payerAccount must be 1 to 34 characters of A-Z a-z 0-9", problem);
        Assert.Null(RestInput.Problem(request with { PayerAccount = null }));
    }

    [Fact]
    public void Parameters_are_held_to_their_own_rule_by_name_and_unknown_names_to_the_unread_rule()
    {
        Assert.Same(RestInput.BillerCode, RestInput.ForParameter("billerCode"));
        Assert.Same(RestInput.BillerCode, RestInput.ForParameter("code"));
        Assert.Same(RestInput.PaymentId, RestInput.ForParameter("paymentId"));
        Assert.Same(RestInput.Unread, RestInput.ForParameter("utm_source"));
    }
}
