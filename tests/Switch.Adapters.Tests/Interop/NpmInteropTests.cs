using System.Text.Json.Nodes;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Iso8583.Framing;
using Switch.Adapters.Tests.Fixtures;

namespace Switch.Adapters.Tests.Interop;

/// <summary>
/// The codec against npm iso_8583 2.6.7, both directions, for every message of the spec. The library always
/// sends a secondary bitmap (all zero when no field above 64 is present); the codec must read that too.
/// </summary>
public class NpmInteropTests(NodePeer peer) : IClassFixture<NodePeer>
{
    private static readonly byte[] MacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Theory]
    [MemberData(nameof(SpecMessages.Names), MemberType = typeof(SpecMessages))]
    public void Their_unpack_reads_our_pack(string name)
    {
        var message = SpecMessages.Message(name);
        var frame = new byte[4096];
        var length = IsoCodec.Spec.Pack(message, frame.AsSpan(2));
        FrameFormat.Spec.WriteHeader(frame, length);

        var theirs = peer.Unpack(frame.AsSpan(0, length + 2));

        AssertSame(message, theirs);
    }

    [Theory]
    [MemberData(nameof(SpecMessages.Names), MemberType = typeof(SpecMessages))]
    public void Our_unpack_reads_their_pack(string name)
    {
        var message = SpecMessages.Message(name);

        var frame = peer.Pack(JsonNode.Parse(IsoJson.Format(message, MessageProfile.Spec, masked: false))!);
        var ours = Unframe(frame);

        Assert.Equal(message.Mti, ours.MtiText);
        Assert.Equal(message.Fields, ours.ToMessage().Fields);
        foreach (var field in message.Fields)
        {
            Assert.Equal(message.GetString(field), ours.GetString(field));
        }
    }

    [Fact]
    public void Mac_in_field_128_crosses_both_ways()
    {
        var message = new IsoMessage("0800").Set(7, "1122150000").Set(11, "000001").Set(32, "100002").Set(70, "001");
        var frame = new byte[4096];
        var length = IsoCodec.Spec.PackWithMac(message, frame.AsSpan(2), MacKey);
        FrameFormat.Spec.WriteHeader(frame, length);

        var theirs = peer.Unpack(frame.AsSpan(0, length + 2));
        var back = Unframe(peer.Pack(theirs));

        Assert.Equal(message.GetString(128), theirs["fields"]!["128"]!.GetValue<string>().ToUpperInvariant());
        Assert.True(IsoCodec.VerifyMac(back, MacKey));
    }

    private static IsoMessageView Unframe(byte[] frame)
    {
        var sequence = new System.Buffers.ReadOnlySequence<byte>(frame);
        Assert.Equal(FrameStatus.Message, FrameFormat.Spec.TryRead(ref sequence, out var body));
        Assert.True(sequence.IsEmpty);
        return IsoCodec.Spec.Unpack(System.Buffers.BuffersExtensions.ToArray(body));
    }

    private static void AssertSame(IsoMessage expected, JsonNode actual)
    {
        Assert.Equal(expected.Mti, actual["mti"]!.GetValue<string>());
        var fields = actual["fields"]!.AsObject();
        Assert.Equal(expected.Fields.Select(f => f.ToString()).Order(), fields.Select(p => p.Key).Order());
        foreach (var field in expected.Fields)
        {
            Assert.Equal(expected.GetString(field), fields[field.ToString()]!.GetValue<string>());
        }
    }
}
