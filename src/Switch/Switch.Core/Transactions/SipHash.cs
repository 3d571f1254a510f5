using System.Buffers.Binary;
using System.Numerics;

namespace Switch.Transactions;

/// <summary>
/// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed pseudorandom function made for short inputs, a few dozen
/// nanoseconds each, where HMAC or a one-block AES call through the platform's library cost microseconds.
/// </summary>
public static class SipHash
{
    public static ulong Hash(ulong k0, ulong k1, ReadOnlySpan<byte> message)
    {
        var s = new State(k0, k1);
        var whole = message.Length & ~7;
        for (var i = 0; i < whole; i += 8)
        {
            s.Compress(BinaryPrimitives.ReadUInt64LittleEndian(message[i..]));
        }

        var last = (ulong)message.Length << 56;
        for (var i = whole; i < message.Length; i++)
        {
            last |= (ulong)message[i] << (8 * (i - whole));
        }

        s.Compress(last);
        return s.Finish();
    }

    /// <summary>The hash of the 8 bytes of <paramref name="word"/> (little-endian), without a buffer.</summary>
    public static ulong Hash(ulong k0, ulong k1, ulong word)
    {
        var s = new State(k0, k1);
        s.Compress(word);
        s.Compress(8UL << 56);
        return s.Finish();
    }

    private struct State(ulong k0, ulong k1)
    {
        private ulong _v0 = k0 ^ 0x736f6d6570736575UL;
        private ulong _v1 = k1 ^ 0x646f72616e646f6dUL;
        private ulong _v2 = k0 ^ 0x6c7967656e657261UL;
        private ulong _v3 = k1 ^ 0x7465646279746573UL;

        public void Compress(ulong m)
        {
            _v3 ^= m;
            Round();
            Round();
            _v0 ^= m;
        }

        public ulong Finish()
        {
            _v2 ^= 0xff;
            Round();
            Round();
            Round();
            Round();
            return _v0 ^ _v1 ^ _v2 ^ _v3;
        }

        private void Round()
        {
            // Addition modulo 2^64 is the algorithm; the project checks overflow everywhere else.
            unchecked
            {
                _v0 += _v1;
                _v1 = BitOperations.RotateLeft(_v1, 13) ^ _v0;
                _v0 = BitOperations.RotateLeft(_v0, 32);
                _v2 += _v3;
                _v3 = BitOperations.RotateLeft(_v3, 16) ^ _v2;
                _v0 += _v3;
                _v3 = BitOperations.RotateLeft(_v3, 21) ^ _v0;
                _v2 += _v1;
                _v1 = BitOperations.RotateLeft(_v1, 17) ^ _v2;
                _v2 = BitOperations.RotateLeft(_v2, 32);
            }
        }
    }
}
