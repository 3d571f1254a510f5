using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Iso8583.Framing;
using Switch.Host.Iso;

namespace Switch.Host.Tests.Iso;

public class ResponseWriterTests
{
    private static readonly FrameFormat Format = new(LengthHeader.Binary2, false, 8192);

    [Fact]
    public async Task Response_that_cannot_be_packed_is_sent_as_96_with_its_matching_fields()
    {
        var pipe = new Pipe();
        var unpackable = new IsoMessage("0210").Set(11, "000123").Set(37, "RRN000000123").Set(39, "00").Set(41, "TERM\u00FF001");

        await using (var writer = new ResponseWriter(pipe.Writer, IsoCodec.Spec, Format, 8, NullLogger.Instance))
        {
            await writer.WriteAsync(new IsoReply(unpackable, null), default, CancellationToken.None);
        }

        var sent = await ReadOneAsync(pipe.Reader);
        Assert.Equal(("0210", "96", "000123", "RRN000000123"), (sent.MtiText, sent.GetString(39), sent.GetString(11), sent.GetString(37)));
        Assert.False(sent.Has(41));
    }

    [Fact]
    public async Task Response_whose_echoed_field_cannot_be_packed_is_sent_as_96_alone_and_signed()
    {
        var pipe = new Pipe();
        var key = new byte[32];
        var unpackable = new IsoMessage("0810").Set(11, "00012X").Set(37, "RRN000000123").Set(39, "00");

        await using (var writer = new ResponseWriter(pipe.Writer, IsoCodec.Spec, Format, 8, NullLogger.Instance))
        {
            await writer.WriteAsync(new IsoReply(unpackable, key), default, CancellationToken.None);
        }

        var sent = await ReadOneAsync(pipe.Reader);
        Assert.Equal(("0810", "96"), (sent.MtiText, sent.GetString(39)));
        Assert.True(IsoCodec.VerifyMac(sent, key));
    }

    private static async Task<IsoMessageView> ReadOneAsync(PipeReader reader)
    {
        var result = await reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var buffer = result.Buffer;
        Assert.Equal(FrameStatus.Message, Format.TryRead(ref buffer, out var frame));
        return IsoCodec.Spec.Unpack(frame.ToArray());
    }
}
