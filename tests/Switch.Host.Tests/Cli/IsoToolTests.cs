using System.Text.Json.Nodes;
using Switch.Adapters.Iso8583;
using Switch.Host.Cli;

namespace Switch.Host.Tests.Cli;

public class IsoToolTests
{
    private const string Payment = """
        {"mti":"0200","fields":{"3":"500000","4":"000000015000","11":"000123","32":"100001","37":"RRN000000123",
         "48":"BC005ELECTAN0101234567890CH003ATM","49":"682","102":"SA0380000000608010167519"}}
        """;

    private static readonly IsoToolOptions Spec = new(MessageProfile.Spec);

    [Fact]
    public void Decode_of_an_encoded_frame_masks_account_numbers_by_default()
    {
        var hex = IsoTool.Encode(Payment, Spec);

        var fields = Fields(IsoTool.Decode(hex, Spec));

        Assert.Equal("000000015000", fields["4"]);
        Assert.Equal("********************7519", fields["102"]);
        Assert.Equal("BC005ELECTAN010******7890CH003ATM", fields["48"]);
    }

    [Fact]
    public void Decode_unmasked_gives_the_message_back_exactly()
    {
        var base64 = IsoTool.Encode(Payment, Spec with { Base64 = true });

        var fields = Fields(IsoTool.Decode(base64, Spec with { Base64 = true, Unmasked = true }));

        Assert.Equal("SA0380000000608010167519", fields["102"]);
        Assert.Equal("BC005ELECTAN0101234567890CH003ATM", fields["48"]);
    }

    [Fact]
    public void Encode_writes_the_two_byte_length_header()
    {
        var hex = IsoTool.Encode("""{"mti":"0800","fields":{"7":"1122153045","11":"000001","70":"301"}}""", Spec);
        var bare = IsoTool.Encode("""{"mti":"0800","fields":{"7":"1122153045","11":"000001","70":"301"}}""", Spec with { Framing = FramingChoice.None });

        Assert.Equal((bare.Length / 2).ToString("X4"), hex[..4]);
        Assert.Equal(bare, hex[4..]);
    }

    [Fact]
    public void Decode_checks_the_mac_when_given_a_key()
    {
        var key = Convert.FromHexString(new string('A', 64));
        var hex = IsoTool.Encode("""{"mti":"0800","fields":{"11":"000001","32":"100002","70":"001"}}""", Spec with { MacKey = key });

        Assert.Equal("valid", JsonNode.Parse(IsoTool.Decode(hex, Spec with { MacKey = key }))!["mac"]!.GetValue<string>());
        key[0] = 0;
        Assert.Equal("invalid", JsonNode.Parse(IsoTool.Decode(hex, Spec with { MacKey = key }))!["mac"]!.GetValue<string>());
    }

    [Fact]
    public void Decode_of_a_bad_field_names_field_and_offset()
    {
        // MTI (4 bytes) and two bitmaps (16 bytes) come first, so field 3 starts at byte 20; make its first digit an 'A'.
        var hex = IsoTool.Encode(Payment, Spec with { Framing = FramingChoice.None });
        var corrupted = hex[..40] + "41" + hex[42..];

        var error = Assert.Throws<IsoCodecException>(() => IsoTool.Decode(corrupted, Spec with { Framing = FramingChoice.None }));

        Assert.Equal(3, error.Field);
        Assert.Equal(20, error.Offset);
    }

    [Fact]
    public void Decode_rejects_input_that_is_not_hex()
    {
        var error = Assert.Throws<FormatException>(() => IsoTool.Decode("0200zz", Spec));

        Assert.Contains("not hex", error.Message);
    }

    [Fact]
    public void Decode_rejects_a_frame_whose_header_disagrees_with_its_length()
    {
        var hex = IsoTool.Encode(Payment, Spec);

        var error = Assert.Throws<IsoCodecException>(() => IsoTool.Decode(hex + "00", Spec));

        Assert.Contains("follow the frame", error.Message);
    }

    private static Dictionary<string, string> Fields(string json) =>
        JsonNode.Parse(json)!["fields"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
}
