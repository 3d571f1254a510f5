using Switch.Adapters.Iso8583;
using Switch.Adapters.Tests.Fixtures;

namespace Switch.Adapters.Tests.Iso8583;

public class IsoMaskingTests
{
    private static readonly MessageProfile Profile = MessageProfile.Spec;

    [Theory]
    [InlineData(2, "4761739001010119", "476173******0119")]
    [InlineData(35, "4761739001010119=2512", "*********************")]
    [InlineData(102, "SA0380000000608010167519", "********************7519")]
    [InlineData(3, "500000", "500000")]
    public void Sensitive_fields_are_masked_as_the_profile_says(int field, string value, string masked) =>
        Assert.Equal(masked, IsoMasking.Mask(Profile[field]!, value));

    [Fact]
    public void Binary_secrets_are_fully_masked()
    {
        Assert.Equal(MaskStyle.All, Profile[52]!.Mask);
        Assert.Equal(MaskStyle.All, Profile[55]!.Mask);
        Assert.Equal(MaskStyle.All, Profile[45]!.Mask);
        Assert.Equal("****************", IsoMasking.Mask(Profile[52]!, "0123456789ABCDEF"));
    }

    [Fact]
    public void Account_and_name_inside_field_48_are_masked_and_the_tlv_still_reads()
    {
        var masked = IsoMasking.Mask(Profile[48]!, Field48.Build(("BC", "ELECT"), ("AN", "1234567890"), ("NM", "Mohammad Ali")));

        Assert.Equal(
            [new("BC", "ELECT"), new("AN", "******7890"), new("NM", "M******* A**")],
            Field48.Parse(masked));
    }

    [Fact]
    public void Log_line_never_carries_the_full_card_account_or_billing_account()
    {
        var message = SpecMessages.Message("0200 bill payment").Set(2, "4761739001010119");

        var line = IsoJson.ToLogLine(message, Profile);

        Assert.DoesNotContain("4761739001010119", line);
        Assert.DoesNotContain("SA0380000000608010167519", line);
        Assert.DoesNotContain("1234567890", line);
        Assert.Contains("4=000000015000", line);
    }

    [Fact]
    public void Unmasked_json_reads_back_to_the_same_message()
    {
        var message = SpecMessages.Message("0200 bill payment").Set(128, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });

        var again = IsoJson.Parse(IsoJson.Format(message, Profile, masked: false), Profile);

        Assert.Equal(message.Fields, again.Fields);
        Assert.All(message.Fields, f => Assert.Equal(message.GetString(f), again.GetString(f)));
    }

    [Fact]
    public void Short_account_numbers_are_masked_entirely()
    {
        Assert.Equal("******", IsoMasking.Mask(MaskStyle.Last4, "123456"));
    }
}
