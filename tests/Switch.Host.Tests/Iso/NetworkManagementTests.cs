using Switch.Host.Iso;
using Switch.Participants;
using static Switch.Host.Iso.NetworkManagement;

namespace Switch.Host.Tests.Iso;

public class NetworkManagementTests
{
    private static readonly Bank Plain = new("100001", "One", IsActive: true, MacRequired: false, MacKey: null, MaxConnections: 2);
    private static readonly Bank Signed = new("100002", "Two", IsActive: true, MacRequired: true, MacKey: new byte[32], MaxConnections: 2);
    private static readonly Bank Suspended = Plain with { IsActive = false };

    [Theory]
    [InlineData(null, "30")]
    [InlineData("999", "12")]
    public void Missing_or_unknown_code_is_refused(string? code, string expected) =>
        Assert.Equal(expected, Decide(code, null, "100001", Plain, macValid: false, placeFree: true).ResponseCode);

    [Fact]
    public void Sign_on_binds_a_known_active_bank() =>
        Assert.Equal(new Decision("00", SessionChange.Bind, null), Decide(SignOn, null, "100001", Plain, macValid: false, placeFree: true));

    [Fact]
    public void Sign_on_without_field_32_is_a_format_error() =>
        Assert.Equal("30", Decide(SignOn, null, null, null, macValid: false, placeFree: false).ResponseCode);

    [Fact]
    public void Sign_on_of_an_unknown_or_suspended_bank_is_a_security_violation()
    {
        Assert.Equal("63", Decide(SignOn, null, "555", null, macValid: false, placeFree: false).ResponseCode);
        Assert.Equal("63", Decide(SignOn, null, "100001", Suspended, macValid: false, placeFree: true).ResponseCode);
    }

    [Fact]
    public void Sign_on_of_a_mac_bank_needs_a_valid_mac()
    {
        Assert.Equal("63", Decide(SignOn, null, "100002", Signed, macValid: false, placeFree: true).ResponseCode);
        Assert.Equal(SessionChange.Bind, Decide(SignOn, null, "100002", Signed, macValid: true, placeFree: true).Change);
    }

    [Fact]
    public void Sign_on_with_every_place_taken_is_refused_91() =>
        Assert.Equal(new Decision("91", SessionChange.None, "bank 100001 has all 2 connections signed on").ResponseCode,
            Decide(SignOn, null, "100001", Plain, macValid: false, placeFree: false).ResponseCode);

    [Fact]
    public void Repeated_sign_on_of_the_same_bank_is_approved_without_binding_again() =>
        Assert.Equal(new Decision("00", SessionChange.None, null), Decide(SignOn, Plain, "100001", Plain, macValid: false, placeFree: false));

    [Fact]
    public void Any_request_naming_another_bank_than_the_signed_on_one_is_a_security_violation()
    {
        Assert.Equal("63", Decide(SignOn, Plain, "100002", Signed, macValid: true, placeFree: true).ResponseCode);
        Assert.Equal("63", Decide(Echo, Plain, "100002", null, macValid: false, placeFree: false).ResponseCode);
    }

    [Fact]
    public void Echo_and_sign_off_before_sign_on_are_line_tests()
    {
        Assert.Equal(new Decision("00", SessionChange.None, null), Decide(Echo, null, "100002", null, macValid: false, placeFree: false));
        Assert.Equal(new Decision("00", SessionChange.None, null), Decide(SignOff, null, null, null, macValid: false, placeFree: false));
    }

    [Fact]
    public void Sign_off_unbinds_and_needs_the_mac_of_a_mac_bank()
    {
        Assert.Equal(SessionChange.Unbind, Decide(SignOff, Plain, "100001", Plain, macValid: false, placeFree: false).Change);
        Assert.Equal("63", Decide(SignOff, Signed, "100002", Signed, macValid: false, placeFree: false).ResponseCode);
        Assert.Equal(SessionChange.Unbind, Decide(SignOff, Signed, "100002", Signed, macValid: true, placeFree: false).Change);
    }
}
