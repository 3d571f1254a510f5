using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

public class ReceiptCodesTests
{
    private const string Reference = "SW0001234567890ABC";

    private static ReceiptCodes Installation(byte seed) => new(Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + seed)).ToArray());

    [Fact]
    public void A_code_is_twelve_characters_without_look_alikes_and_the_same_each_time()
    {
        var codes = Installation(1);

        var code = codes.For(Reference);

        Assert.Equal(ReceiptCodes.Length, code.Length);
        Assert.All(code, c => Assert.Contains(c, ReceiptCodes.Alphabet));
        Assert.Equal(code, codes.For(Reference));
        Assert.True(codes.Verify(Reference, code));
    }

    [Fact]
    public void Codes_differ_across_installations_and_references()
    {
        Assert.NotEqual(Installation(1).For(Reference), Installation(2).For(Reference));
        Assert.NotEqual(Installation(1).For(Reference), Installation(1).For("SW0001234567890ABD"));
        Assert.False(Installation(2).Verify(Reference, Installation(1).For(Reference)));
    }

    [Fact]
    public void A_code_altered_in_one_character_or_of_another_length_does_not_verify()
    {
        var codes = Installation(3);
        var code = codes.For(Reference);
        var altered = (code[0] == '2' ? '3' : '2') + code[1..];

        Assert.False(codes.Verify(Reference, altered));
        Assert.False(codes.Verify(Reference, code[..^1]));
        Assert.False(codes.Verify(Reference, code.ToLowerInvariant()));
    }

    [Fact]
    public void The_old_unkeyed_code_is_no_longer_what_the_switch_issues()
    {
        var unkeyed = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(Reference)))[..8];

        Assert.False(Installation(4).Verify(Reference, unkeyed));
    }

    [Fact]
    public void A_short_secret_is_refused() => Assert.Throws<ArgumentException>(() => new ReceiptCodes(new byte[16]));
}
