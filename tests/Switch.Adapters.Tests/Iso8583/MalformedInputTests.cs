using System.Buffers;
using System.Text;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Tests.Fixtures;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Adapters.Tests.Iso8583;

public class MalformedInputTests
{
    private static readonly IsoCodec Codec = IsoCodec.Spec;

    private static byte[] Packed(IsoMessage message)
    {
        var buffer = new byte[4096];
        return buffer[..Codec.Pack(message, buffer)];
    }

    /// <summary>MTI, bitmap (8 bytes, no secondary), then fields in ASCII.</summary>
    private static byte[] Raw(string mti, string bitmapHex, string fields) =>
        [.. Encoding.ASCII.GetBytes(mti), .. Convert.FromHexString(bitmapHex), .. Encoding.ASCII.GetBytes(fields)];

    [Fact]
    public void Every_truncation_of_a_message_is_a_codec_error()
    {
        var full = Packed(SpecMessages.Message("0200 bill payment"));

        for (var cut = 0; cut < full.Length; cut++)
        {
            var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(full.AsMemory(0, cut)));
            Assert.InRange(error.Offset, 0, cut);
        }
    }

    [Theory]
    [InlineData("0A100001", 0)]   // non-digit in the LL prefix
    [InlineData("12100001", 0)]   // 12 digits announced for an n..11 field
    [InlineData("06100001X", null)]   // trailing byte after the last field
    public void Bad_length_prefix_names_field_32(string field32, int? fieldOffsetOrNull)
    {
        var message = Raw("0800", "0000000100000000", field32);

        var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(message));

        if (fieldOffsetOrNull is { } offset)
        {
            Assert.Equal((32, 12 + offset), (error.Field!.Value, error.Offset));
        }
        else
        {
            Assert.Null(error.Field);
            Assert.Equal(20, error.Offset);
        }
    }

    [Fact]
    public void Non_digit_in_an_n_field_is_named_with_its_offset()
    {
        var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(Raw("0200", "3000000000000000", "500000" + "0000000150X0")));

        Assert.Equal((4, 12 + 6 + 10), (error.Field!.Value, error.Offset));
    }

    [Fact]
    public void Bitmap_naming_absent_data_is_a_codec_error()
    {
        var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(Raw("0200", "3000000000000000", "500000")));

        Assert.Equal((4, 18), (error.Field!.Value, error.Offset));
    }

    [Fact]
    public void Bitmap_naming_a_field_the_profile_does_not_define_is_a_codec_error()
    {
        var profile = MessageProfile.Parse("""{"name":"tiny","fields":{"3":{"type":"n","length":"fixed","max":6}}}""");

        var error = Assert.Throws<IsoCodecException>(() => new IsoCodec(profile).Unpack(Raw("0200", "3000000000000000", "500000000000015000")));

        Assert.Equal(4, error.Field);
        Assert.Contains("does not define", error.Message);
    }

    [Fact]
    public void Missing_secondary_bitmap_is_a_codec_error()
    {
        var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(Raw("0800", "8000000000000000", "0000")));

        Assert.Equal((1, 12), (error.Field!.Value, error.Offset));
    }

    [Theory]
    [InlineData("02X0")]
    [InlineData("02")]
    public void Invalid_mti_is_a_codec_error(string mti)
    {
        var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(Encoding.ASCII.GetBytes(mti)));

        Assert.Null(error.Field);
        Assert.False(Codec.TryReadMti(Encoding.ASCII.GetBytes(mti), out _));
    }

    [Fact]
    public void Hex_bitmap_with_non_hex_characters_is_a_codec_error()
    {
        var profile = MessageProfile.Parse("""{"name":"hexmap","bitmapEncoding":"ascii","fields":{"3":{"type":"n","length":"fixed","max":6}}}""");

        var error = Assert.Throws<IsoCodecException>(() => new IsoCodec(profile).Unpack(Encoding.ASCII.GetBytes("02002000000000000G00500000")));

        Assert.Equal(4, error.Offset);
    }

    [Theory]
    [InlineData("BC00", 0)]   // element shorter than tag + length
    [InlineData("BC0X5ELECT", 2)]   // non-digit length
    [InlineData("BC009ELECT", 2)]   // length beyond the field
    [InlineData("bc005ELECT", 0)]   // tags are upper-case letters or digits
    public void Malformed_field_48_element_is_a_codec_error_at_its_offset(string field48, int offsetInField)
    {
        var message = Raw("0100", "0000000000010000", field48.Length.ToString("D3") + field48);

        var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(message));

        Assert.Equal((48, 12 + 3 + offsetInField), (error.Field!.Value, error.Offset));
    }

    [Theory]
    [InlineData(0xFF)]
    [InlineData(0x80)]
    [InlineData(0x00)]
    [InlineData(0x1F)]
    [InlineData(0x7F)]
    public void Byte_outside_ascii_ans_in_field_41_is_a_codec_error_at_its_offset(byte bad)
    {
        byte[] message = [.. Raw("0200", "0000000000800000", "TERM"), bad, .. "001"u8];

        var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(message));

        Assert.Equal((41, 12 + 4), (error.Field!.Value, error.Offset));
    }

    [Theory]
    [InlineData(0xFF)]
    [InlineData(0xC3)]
    [InlineData(0x0A)]
    public void Byte_outside_ascii_ans_in_field_48_is_a_codec_error(byte bad)
    {
        byte[] message = [.. Raw("0100", "0000000000010000", "010BC005ELEC"), bad];

        var error = Assert.Throws<IsoCodecException>(() => Codec.Unpack(message));

        Assert.Equal((48, 12 + 3 + 9), (error.Field!.Value, error.Offset));
    }

    [Fact]
    public void Every_printable_ascii_character_is_accepted_in_an_ans_field()
    {
        var printable = string.Concat(Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c));
        var packed = Packed(new IsoMessage("0200").Set(102, printable[..34]).Set(44, printable[34..59]).Set(46, printable));

        var view = Codec.Unpack(packed);

        Assert.Equal(printable, view.GetString(46));
    }

    [Fact]
    public void Byte_outside_an_in_an_ebcdic_field_is_a_codec_error()
    {
        var profile = MessageProfile.Parse("""{"name":"ebcdic","mtiEncoding":"ebcdic","fields":{"41":{"type":"ans","length":"fixed","max":2,"encoding":"ebcdic"}}}""");
        byte[] message = [0xF0, 0xF2, 0xF0, 0xF0, .. Convert.FromHexString("0000000000800000"), 0xC1, 0xFF];

        var error = Assert.Throws<IsoCodecException>(() => new IsoCodec(profile).Unpack(message));

        Assert.Equal((41, 13), (error.Field!.Value, error.Offset));
    }

    [Fact]
    public void Pack_of_non_ascii_text_in_an_ans_field_is_refused()
    {
        var error = Assert.Throws<IsoCodecException>(() => Packed(new IsoMessage("0110").Set(48, "NM005م*** ")));

        Assert.Equal(48, error.Field);
    }

    [Fact]
    public void Pack_of_a_value_longer_than_the_field_names_the_field()
    {
        var error = Assert.Throws<IsoCodecException>(() => Packed(new IsoMessage("0200").Set(32, "123456789012")));

        Assert.Equal(32, error.Field);
        Assert.Contains("at most 11", error.Message);
    }

    [Fact]
    public void Pack_of_a_character_the_field_does_not_allow_names_the_field_and_character()
    {
        var error = Assert.Throws<IsoCodecException>(() => Packed(new IsoMessage("0200").Set(3, "50000A")));

        Assert.Equal(3, error.Field);
        Assert.Contains("'A' at index 5", error.Message);
    }

    [Fact]
    public void Pack_of_non_ascii_text_in_an_an_field_is_refused()
    {
        var error = Assert.Throws<IsoCodecException>(() => Packed(new IsoMessage("0200").Set(37, "RRN00000012م")));

        Assert.Equal(37, error.Field);
    }

    [Fact]
    public void Pack_into_a_buffer_too_small_names_the_field()
    {
        var error = Assert.Throws<IsoCodecException>(() => Codec.Pack(SpecMessages.Message("0200 bill payment"), new byte[40]));

        Assert.Contains("buffer", error.Message);
        Assert.NotNull(error.Field);
    }

    [Fact]
    public void Pack_of_malformed_field_48_is_refused()
    {
        var error = Assert.Throws<IsoCodecException>(() => Packed(new IsoMessage("0100").Set(48, "BC099ELECT")));

        Assert.Equal(48, error.Field);
    }

    [Theory]
    [InlineData(new byte[] { 0x20, 0x01 }, LengthHeader.Binary2, FrameStatus.TooLarge)]
    [InlineData(new byte[] { 0x30, 0x30, 0x3A, 0x30 }, LengthHeader.Ascii4, FrameStatus.BadHeader)]
    [InlineData(new byte[] { 0x00, 0x00 }, LengthHeader.Binary2, FrameStatus.KeepAlive)]
    [InlineData(new byte[] { 0x00, 0x05, 0x30 }, LengthHeader.Binary2, FrameStatus.Incomplete)]
    [InlineData(new byte[] { 0x00 }, LengthHeader.Binary2, FrameStatus.Incomplete)]
    public void Framing_classifies_headers(byte[] bytes, LengthHeader header, FrameStatus expected)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(expected, new FrameFormat(header).TryRead(ref buffer, out _));
    }

    [Fact]
    public void Framing_with_tpdu_refuses_a_frame_too_short_for_it()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0x00, 0x03, 0x60, 0x00, 0x01 });

        Assert.Equal(FrameStatus.BadHeader, new FrameFormat(HasTpdu: true).TryRead(ref buffer, out _));
    }
}
