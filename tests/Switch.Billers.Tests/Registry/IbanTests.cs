using Switch.Billers.Registry;

namespace Switch.Billers.Tests.Registry;

public class IbanTests
{
    [Theory]
    [InlineData("SA0380000000608010167519")]
    [InlineData("JO94CBJO0010000000000131000302")]
    [InlineData("GB82WEST12345698765432")]
    public void Valid_ibans_pass(string iban) => Assert.Null(Iban.Problem(iban));

    [Theory]
    [InlineData("SA0380000000608010167518", "mod 97")]   // one digit off
    [InlineData("SA1380000000608010167519", "mod 97")]   // check digits off
    [InlineData("SA038000000060801016751", "24 characters")]
    [InlineData("sa0380000000608010167519", "A-Z 0-9")]
    [InlineData("SA03 8000 0000 6080 1016 7519", "A-Z 0-9")]
    [InlineData("", "A-Z 0-9")]
    public void Invalid_ibans_say_why(string iban, string reason) => Assert.Contains(reason, Iban.Problem(iban));
}
