using Switch.Adapters.Iso8583;
using Switch.Adapters.Tests.Fixtures;

namespace Switch.Adapters.Tests.Iso8583;

/// <summary>
/// Every message of the spec against its expected bytes (Fixtures/golden-spec-ascii.json), which were computed
/// from the spec's field table by a separate encoder, not by this codec.
/// </summary>
public class GoldenVectorTests
{
    [Theory]
    [MemberData(nameof(SpecMessages.VectorNames), MemberType = typeof(SpecMessages))]
    public void Pack_produces_the_golden_bytes(string name)
    {
        var golden = SpecMessages.Vectors.Single(v => v.Name == name);
        var message = SpecMessages.Message(name);
        var buffer = new byte[2048];

        var length = golden.MacKey is { } key
            ? IsoCodec.Spec.PackWithMac(message, buffer, Convert.FromHexString(key))
            : IsoCodec.Spec.Pack(message, buffer);

        Assert.Equal(golden.Hex, Convert.ToHexString(buffer, 0, length));
    }

    [Theory]
    [MemberData(nameof(SpecMessages.VectorNames), MemberType = typeof(SpecMessages))]
    public void Unpack_of_the_golden_bytes_gives_the_message(string name)
    {
        var golden = SpecMessages.Vectors.Single(v => v.Name == name);
        var expected = SpecMessages.Message(name);

        var view = IsoCodec.Spec.Unpack(Convert.FromHexString(golden.Hex));

        Assert.Equal(expected.Mti, view.MtiText);
        Assert.Equal(expected.Fields.Concat(golden.MacKey is null ? [] : [128]), view.ToMessage().Fields);
        foreach (var field in expected.Fields)
        {
            Assert.Equal(expected.GetString(field), view.GetString(field));
        }

        if (golden.MacKey is { } key)
        {
            Assert.True(IsoCodec.VerifyMac(view, Convert.FromHexString(key)));
        }
    }

    [Fact]
    public void Every_message_of_the_spec_has_a_golden_vector()
    {
        var required = new[] { "0100", "0110", "0200", "0210", "0420", "0421", "0430", "0800", "0810" };

        var covered = SpecMessages.Vectors.Select(v => v.Name[..4]).ToHashSet();

        Assert.Subset(covered, required.ToHashSet());
        Assert.Contains(SpecMessages.Vectors, v => v.MacKey is not null);
    }

    [Fact]
    public void Pos_profile_writes_bcd_mti_numerics_and_length_prefixes()
    {
        var codec = new IsoCodec(MessageProfile.PosBcd);
        var message = new IsoMessage("0200").Set(3, "500000").Set(4, "15000").Set(32, "100001").Set(41, "ATM00001");
        var buffer = new byte[256];

        var length = codec.Pack(message, buffer);

        // MTI 02 00; bitmap bits 3, 4, 32, 41; 3 as 3 BCD bytes; 4 as 6; 32 with a 1-byte BCD length 06; 41 in ASCII.
        const string Expected = "0200" + "3000000100800000" + "500000" + "000000015000" + "06100001" + "41544D3030303031";
        Assert.Equal(Expected, Convert.ToHexString(buffer, 0, length));
        Assert.Equal("000000015000", codec.Unpack(buffer.AsMemory(0, length)).GetString(4));
    }
}
