using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Switch.Transactions;

/// <summary>
/// A keyed permutation of the 36^6 approval codes (field 38, an6: six of A-Z and 0-9): number n of a bank's day becomes
/// code <see cref="Code"/>(n). A Feistel network over two halves of 36^3 each, added modulo 36^3, so every number has one
/// code and every code one number, whatever the round function: distinct numbers give distinct codes by construction.
/// The round function is SipHash under a key made from the installation's secret, the bank and the day, so without the
/// secret one code tells nothing about the next, another bank's or another day's. Ten rounds, as NIST's FF1 uses for
/// format-preserving encryption of small domains.
/// </summary>
public sealed class ApprovalCodePermutation
{
    public const int Length = 6;
    public const long Size = (long)Half * Half;
    public const string Characters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private const int Half = 36 * 36 * 36;
    private const int Rounds = 10;

    private readonly ulong _k0;
    private readonly ulong _k1;

    /// <param name="key">16 bytes.</param>
    public ApprovalCodePermutation(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16)
        {
            throw new ArgumentException("An approval code key has 16 bytes.", nameof(key));
        }

        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
    }

    /// <summary>The permutation of one bank's codes on one day, keyed under the installation's secret.</summary>
    public static ApprovalCodePermutation For(byte[] secret, string bank, DateOnly day)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"switch/approval-codes/{bank}/{day:yyyy-MM-dd}"), mac);
        return new ApprovalCodePermutation(mac[..16]);
    }

    /// <param name="number">From 0 to <see cref="Size"/> - 1.</param>
    public string Code(long number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(number, Size);
        var (left, right) = ((int)(number / Half), (int)(number % Half));
        for (var round = 0; round < Rounds; round++)
        {
            (left, right) = (right, (left + Mix(round, right)) % Half);
        }

        return string.Create(Length, (long)left * Half + right, static (chars, value) =>
        {
            for (var i = Length - 1; i >= 0; i--)
            {
                chars[i] = Characters[(int)(value % 36)];
                value /= 36;
            }
        });
    }

    /// <summary>The number whose code this is: the inverse of <see cref="Code"/>.</summary>
    public long NumberOf(string code)
    {
        if (code.Length != Length)
        {
            throw new ArgumentException($"An approval code has {Length} characters.", nameof(code));
        }

        var value = 0L;
        foreach (var c in code)
        {
            var digit = Characters.IndexOf(c, StringComparison.Ordinal);
            value = value * 36 + (digit >= 0 ? digit : throw new ArgumentException($"An approval code is of {Characters}.", nameof(code)));
        }

        var (left, right) = ((int)(value / Half), (int)(value % Half));
        for (var round = Rounds - 1; round >= 0; round--)
        {
            (left, right) = ((right - Mix(round, left) + Half) % Half, left);
        }

        return (long)left * Half + right;
    }

    private int Mix(int round, int half) => (int)(SipHash.Hash(_k0, _k1, ((ulong)round << 32) | (uint)half) % Half);
}
