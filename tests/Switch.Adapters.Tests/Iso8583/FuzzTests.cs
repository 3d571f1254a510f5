using System.Diagnostics;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Tests.Fixtures;
using Xunit.Abstractions;

namespace Switch.Adapters.Tests.Iso8583;

/// <summary>
/// A bounded, seeded fuzz run: a million mutations of real messages in both profiles. The codec may accept a
/// mutant or refuse it with its own error; any other exception (index out of range, overflow, huge allocation)
/// is a bug, reported with the seed and the input.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private const int Seed = 8583;
    private const int Frames = 1_000_000;

    [Fact]
    public void Mutated_frames_only_ever_raise_codec_errors()
    {
        var codecs = new[] { IsoCodec.Spec, new IsoCodec(MessageProfile.PosBcd) };
        var seeds = codecs.SelectMany(codec => SpecMessages.All.Select(m => (codec, Bytes: Pack(codec, SpecMessages.Message(m.Name))))).ToArray();
        var random = new Random(Seed);
        var view = new IsoMessageView(MessageProfile.Spec);
        var repack = new byte[65536];
        int accepted = 0, refused = 0;
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < Frames; i++)
        {
            var (codec, original) = seeds[random.Next(seeds.Length)];
            var mutant = Mutate(original, random);
            try
            {
                codec.Unpack(mutant, view);
                codec.Pack(view.ToMessage(), repack);
                accepted++;
            }
            catch (IsoCodecException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"frame {i} (seed {Seed}, profile {codec.Profile.Name}) raised {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(mutant)}");
            }
        }

        output.WriteLine($"{Frames:N0} frames in {clock.Elapsed.TotalSeconds:F1} s: {accepted:N0} accepted, {refused:N0} refused");
        Assert.Equal(Frames, accepted + refused);
        Assert.True(accepted > 0 && refused > 0, "the mutations should produce both readable and unreadable frames");
    }

    private static byte[] Pack(IsoCodec codec, IsoMessage message)
    {
        var buffer = new byte[4096];
        return buffer[..codec.Pack(message, buffer)];
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        for (var n = random.Next(1, 4); n > 0 && bytes.Count > 0; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;                       // bit flip
                case 1: bytes[at] = (byte)random.Next(256); break;                              // byte replaced
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;                        // byte inserted
                case 3: bytes.RemoveAt(at); break;                                              // byte deleted
                case 4: bytes.RemoveRange(at, bytes.Count - at); break;                         // truncated
                case 5: if (bytes.Count > 12) { bytes[4 + random.Next(8)] ^= (byte)(1 << random.Next(8)); } break; // bitmap bit
                default: bytes[at] = (byte)('0' + random.Next(10)); break;                      // digit tweak (length prefixes)
            }
        }

        return [.. bytes];
    }
}
