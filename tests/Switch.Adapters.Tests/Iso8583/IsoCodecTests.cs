using Switch.Adapters.Iso8583;
using Switch.Adapters.Tests.Fixtures;

namespace Switch.Adapters.Tests.Iso8583;

public class IsoCodecTests
{
    private static readonly IsoCodec Codec = IsoCodec.Spec;

    [Fact]
    public void Unpack_returns_every_packed_field()
    {
        var message = SpecMessages.Message("0200 bill payment");
        var buffer = new byte[1024];
        var length = Codec.Pack(message, buffer);

        var view = Codec.Unpack(buffer.AsMemory(0, length));

        Assert.Equal(200, view.Mti);
        Assert.Equal(message.Fields, view.ToMessage().Fields);
        foreach (var field in message.Fields)
        {
            Assert.Equal(message.GetString(field), view.GetString(field));
        }

        Assert.True(view.TryGetInt64(4, out var amount));
        Assert.Equal(15000, amount);
    }

    [Fact]
    public void Pack_writes_the_spec_layout()
    {
        var message = new IsoMessage("0800").Set(7, "1122153045").Set(11, "000001").Set(32, "100001").Set(70, "001");
        var buffer = new byte[256];

        var length = Codec.Pack(message, buffer);

        // MTI, primary bitmap with bits 1, 7, 11, 32; secondary with bit 70; fields in ASCII with an LL prefix for 32.
        var expected = Convert.FromHexString("30383030" + "8220000100000000" + "0400000000000000")
            .Concat("1122153045"u8.ToArray()).Concat("000001"u8.ToArray()).Concat("06100001"u8.ToArray()).Concat("001"u8.ToArray());
        Assert.Equal(expected.ToArray(), buffer[..length]);
    }

    [Fact]
    public void Pack_pads_short_fixed_values()
    {
        var message = new IsoMessage("0200").Set(4, "15000").Set(37, "RRN1");
        var buffer = new byte[256];

        var view = Codec.Unpack(buffer.AsMemory(0, Codec.Pack(message, buffer)));

        Assert.Equal("000000015000", view.GetString(4));
        Assert.Equal("RRN1        ", view.GetString(37));
    }

    [Fact]
    public void Mac_verifies_under_the_right_key_only()
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var buffer = new byte[1024];
        var length = Codec.PackWithMac(SpecMessages.Message("0200 bill payment"), buffer, key);

        var view = Codec.Unpack(buffer.AsMemory(0, length));

        Assert.True(IsoCodec.VerifyMac(view, key));
        key[0] ^= 1;
        Assert.False(IsoCodec.VerifyMac(view, key));
    }

    [Fact]
    public void Unpack_of_a_truncated_message_names_the_field_and_offset()
    {
        var buffer = new byte[1024];
        var length = Codec.Pack(SpecMessages.Message("0200 bill payment"), buffer);

        var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(buffer.AsMemory(0, length - 3)));

        Assert.Equal(102, error.Field);
        Assert.Contains("remain", error.Message);
    }

    [Fact]
    public void Pos_profile_round_trips_with_bcd_numerics()
    {
        var codec = new IsoCodec(MessageProfile.PosBcd);
        var message = SpecMessages.Message("0200 bill payment").Set(2, "4761739001010119").Set(35, "4761739001010119=2512101");
        var buffer = new byte[1024];
        var length = codec.Pack(message, buffer);

        var view = codec.Unpack(buffer.AsMemory(0, length));

        Assert.Equal(new byte[] { 0x02, 0x00 }, buffer[..2]);
        foreach (var field in message.Fields)
        {
            Assert.Equal(message.GetString(field), view.GetString(field));
        }
    }

    [Fact]
    public void Ebcdic_profile_round_trips_with_ebcdic_mti_prefixes_and_text()
    {
        var profile = MessageProfile.Parse("""
            {"name":"ebcdic","mtiEncoding":"ebcdic","defaultEncoding":"ebcdic","prefixEncoding":"ebcdic","fields":{
              "3":{"type":"n","length":"fixed","max":6},
              "32":{"type":"n","length":"LL","max":11},
              "48":{"type":"ans","length":"LLL","max":999,"tlv":true}}}
            """);
        var codec = new IsoCodec(profile);
        var message = new IsoMessage("0100").Set(3, "310000").Set(32, "100001").Set(48, "BC005ELECT");
        var buffer = new byte[256];

        var length = codec.Pack(message, buffer);
        var view = codec.Unpack(buffer.AsMemory(0, length));

        Assert.Equal(new byte[] { 0xF0, 0xF1, 0xF0, 0xF0 }, buffer[..4]);
        Assert.Equal(new byte[] { 0xF0, 0xF6 }, buffer[18..20]);
        Assert.Equal(["310000", "100001", "BC005ELECT"], new[] { view.GetString(3)!, view.GetString(32)!, view.GetString(48)! });
    }
}
