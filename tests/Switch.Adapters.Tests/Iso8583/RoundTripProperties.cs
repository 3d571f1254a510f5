using System.Buffers;
using FsCheck.Xunit;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Adapters.Tests.Iso8583;

public class RoundTripProperties
{
    [Property(MaxTest = 500)]
    public void Spec_profile_unpack_returns_what_was_packed(int seed) => AssertRoundTrip(MessageProfile.Spec, seed);

    [Property(MaxTest = 500)]
    public void Pos_profile_unpack_returns_what_was_packed(int seed) => AssertRoundTrip(MessageProfile.PosBcd, seed);

    [Property(MaxTest = 300)]
    public void Field48_parse_returns_what_was_built(int seed)
    {
        var random = new Random(seed);
        var elements = Enumerable.Range(0, random.Next(0, 8))
            .Select(i => new KeyValuePair<string, string>($"T{i}", new string('x', random.Next(0, 100))))
            .ToList();

        Assert.Equal(elements, Field48.Parse(Field48.Build(elements)));
    }

    [Property(MaxTest = 300)]
    public void Frames_are_read_back_however_the_stream_splits_them(int seed)
    {
        var random = new Random(seed);
        var format = new FrameFormat(random.Next(2) == 0 ? LengthHeader.Binary2 : LengthHeader.Ascii4, HasTpdu: random.Next(2) == 0);
        var bodies = Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.GetItems(new byte[] { 1, 2, 3, 0x30 }, random.Next(format.HasTpdu ? 6 : 1, 300))).ToList();
        var stream = bodies.SelectMany(body =>
        {
            var header = new byte[format.HeaderLength];
            format.WriteHeader(header, body.Length);
            return header.Concat(body);
        }).ToArray();

        var buffer = Split(stream, random);
        var read = new List<byte[]>();
        while (format.TryRead(ref buffer, out var frame) == FrameStatus.Message)
        {
            read.Add(frame.ToArray());
        }

        Assert.Equal(bodies, read);
        Assert.True(buffer.IsEmpty);
    }

    private static void AssertRoundTrip(MessageProfile profile, int seed)
    {
        var codec = new IsoCodec(profile);
        var message = RandomMessages.Create(profile, seed);
        var buffer = new byte[65536];
        var length = codec.Pack(message, buffer);

        var view = codec.Unpack(buffer.AsMemory(0, length));
        var again = new byte[65536];
        var againLength = codec.Pack(view.ToMessage(), again);

        Assert.Equal(message.Mti, view.MtiText);
        Assert.Equal(message.Fields, view.ToMessage().Fields);
        foreach (var field in message.Fields)
        {
            Assert.Equal(message.GetString(field), view.GetString(field));
        }

        Assert.Equal(buffer.AsSpan(0, length).ToArray(), again.AsSpan(0, againLength).ToArray());
    }

    /// <summary>The same bytes as a sequence of random-sized segments, as a socket delivers them.</summary>
    private static ReadOnlySequence<byte> Split(byte[] bytes, Random random)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length;)
        {
            var size = Math.Min(random.Next(1, 64), bytes.Length - offset);
            var segment = new Segment(bytes.AsMemory(offset, size), last);
            first ??= segment;
            last = segment;
            offset += size;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
