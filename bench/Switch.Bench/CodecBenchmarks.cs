using System.Buffers;
using BenchmarkDotNet.Attributes;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Iso8583.Framing;

namespace Switch.Bench;

/// <summary>The codec on the spec's 0200 bill payment: fields 3, 4, 7, 11, 12, 13, 32, 37, 41, 48 (BC/AN/CH), 49, 102.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private static readonly byte[] MacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private readonly IsoCodec _codec = IsoCodec.Spec;
    private readonly IsoMessage _payment = BillPayment();
    private readonly byte[] _buffer = new byte[8192];
    private byte[] _packed = [];
    private byte[] _framed = [];
    private IsoMessageView _view = null!;

    [GlobalSetup]
    public void Setup()
    {
        _packed = _buffer.AsSpan(0, _codec.Pack(_payment, _buffer)).ToArray();
        _framed = new byte[_packed.Length + 2];
        FrameFormat.Spec.WriteHeader(_framed, _packed.Length);
        _packed.CopyTo(_framed, 2);
        _view = new IsoMessageView(_codec.Profile);
    }

    [Benchmark]
    public IsoMessageView Unpack() => _codec.Unpack(_packed);

    [Benchmark]
    public IsoMessageView UnpackReused()
    {
        _codec.Unpack(_packed, _view);
        return _view;
    }

    [Benchmark]
    public int Pack() => _codec.Pack(_payment, _buffer);

    [Benchmark]
    public int PackWithMac() => _codec.PackWithMac(_payment, _buffer, MacKey);

    [Benchmark]
    public long ReadFrame()
    {
        var sequence = new ReadOnlySequence<byte>(_framed);
        FrameFormat.Spec.TryRead(ref sequence, out var frame);
        return frame.Length;
    }

    public static IsoMessage BillPayment() => new IsoMessage("0200")
        .Set(3, "500000")
        .Set(4, "000000015000")
        .Set(7, "1122153045")
        .Set(11, "000123")
        .Set(12, "153045")
        .Set(13, "1122")
        .Set(32, "100001")
        .Set(37, "RRN000000123")
        .Set(41, "ATM00001")
        .Set(48, "BC005ELECTAN0101234567890CH003ATM")
        .Set(49, "682")
        .Set(102, "SA0380000000608010167519");
}
