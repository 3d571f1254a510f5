using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

public class ApprovalCodePermutationTests
{
    private static readonly byte[] Secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly DateOnly Day = new(2026, 11, 23);

    [Fact]
    public void Distinct_numbers_give_distinct_codes_of_six_letters_and_digits()
    {
        var permutation = ApprovalCodePermutation.For(Secret, "100001", Day);

        var codes = Enumerable.Range(0, 200_000).Select(n => permutation.Code(n))
            .Concat(Enumerable.Range(1, 1000).Select(n => permutation.Code(ApprovalCodePermutation.Size - n))).ToList();

        Assert.All(codes, code => Assert.Matches("^[A-Z0-9]{6}$", code));
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public void Every_code_turns_back_into_its_number()
    {
        var permutation = ApprovalCodePermutation.For(Secret, "100001", Day);
        var random = new Random(9);
        var numbers = Enumerable.Range(0, 10_000).Select(_ => random.NextInt64(ApprovalCodePermutation.Size))
            .Concat([0, 1, ApprovalCodePermutation.Size - 1]).ToList();

        Assert.All(numbers, n => Assert.Equal(n, permutation.NumberOf(permutation.Code(n))));
    }

    [Fact]
    public void Consecutive_numbers_give_codes_that_follow_no_order()
    {
        var permutation = ApprovalCodePermutation.For(Secret, "100001", Day);

        var codes = Enumerable.Range(0, 2000).Select(n => permutation.Code(n)).ToList();

        // The tail of a time-ordered reference gave 26 distinct codes in 2,012 approvals; these spread over every position.
        Assert.All(Enumerable.Range(0, 6), i => Assert.True(codes.Select(c => c[i]).Distinct().Count() == 36, $"position {i} barely varies"));
    }

    [Fact]
    public void Another_secret_bank_or_day_gives_other_codes()
    {
        var codes = Codes(ApprovalCodePermutation.For(Secret, "100001", Day));
        var otherSecret = Codes(ApprovalCodePermutation.For([.. Secret.Reverse()], "100001", Day));
        var otherBank = Codes(ApprovalCodePermutation.For(Secret, "100002", Day));
        var otherDay = Codes(ApprovalCodePermutation.For(Secret, "100001", Day.AddDays(1)));

        Assert.All([otherSecret, otherBank, otherDay], other => Assert.True(codes.Intersect(other).Count() < 3, "the same codes again"));
        Assert.Equal(codes, Codes(ApprovalCodePermutation.For(Secret, "100001", Day)));

        static List<string> Codes(ApprovalCodePermutation permutation) => Enumerable.Range(0, 1000).Select(n => permutation.Code(n)).ToList();
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(ApprovalCodePermutation.Size)]
    public void A_number_outside_the_codes_is_refused(long number) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ApprovalCodePermutation.For(Secret, "100001", Day).Code(number));

    [Fact]
    public void SipHash_gives_the_published_test_vector()
    {
        // SipHash-2-4, key 00..0F, message 00..0E: the vector of the algorithm's paper (appendix A).
        var key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var message = Enumerable.Range(0, 15).Select(i => (byte)i).ToArray();
        var (k0, k1) = (BitConverter.ToUInt64(key, 0), BitConverter.ToUInt64(key, 8));

        Assert.Equal(0xa129ca6149be45e5UL, SipHash.Hash(k0, k1, message));
        Assert.Equal(SipHash.Hash(k0, k1, message.AsSpan(0, 8)), SipHash.Hash(k0, k1, BitConverter.ToUInt64(message, 0)));
    }
}
