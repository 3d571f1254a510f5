using Switch.Host.Iso;
using Switch.Participants;
using static Switch.Host.Iso.NetworkManagement;

namespace Switch.Host.Tests.Tls;

public class ClientCertificateBindingTests
{
    private const string Old = "AA11";
    private const string Renewed = "BB22";
    private const string OtherBanks = "CC33";

    private static readonly Bank Plain = new("100001", "One", IsActive: true, MacRequired: false, MacKey: null, MaxConnections: 2);
    private static readonly Bank Bound = Plain with { CertificateRequired = true, CertificateFingerprints = [Old, Renewed] };

    [Fact]
    public void Each_certificate_bound_to_the_bank_signs_it_on_during_a_renewal()
    {
        Assert.Null(ClientCertificateBinding.Refusal(Bound, Old));
        Assert.Null(ClientCertificateBinding.Refusal(Bound, Renewed.ToLowerInvariant()));
    }

    [Fact]
    public void A_certificate_not_bound_to_the_bank_is_refused_whether_or_not_the_bank_requires_one()
    {
        Assert.NotNull(ClientCertificateBinding.Refusal(Bound, OtherBanks));
        Assert.NotNull(ClientCertificateBinding.Refusal(Plain, OtherBanks));
    }

    [Fact]
    public void No_certificate_is_refused_only_for_a_bank_that_requires_one()
    {
        Assert.NotNull(ClientCertificateBinding.Refusal(Bound, null));
        Assert.Null(ClientCertificateBinding.Refusal(Plain, null));
    }

    [Fact]
    public void Sign_on_applies_the_binding_with_63()
    {
        Assert.Equal(new Decision("00", SessionChange.Bind, null), Decide(SignOn, null, "100001", Bound, macValid: false, placeFree: true, Renewed));
        Assert.Equal("63", Decide(SignOn, null, "100001", Bound, macValid: false, placeFree: true, OtherBanks).ResponseCode);
        Assert.Equal("63", Decide(SignOn, null, "100001", Bound, macValid: false, placeFree: true, clientCertificate: null).ResponseCode);
        Assert.Equal(SessionChange.None, Decide(SignOn, null, "100001", Bound, macValid: false, placeFree: true, OtherBanks).Change);
    }
}
