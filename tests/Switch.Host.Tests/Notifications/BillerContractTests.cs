using System.Text;
using Switch.Billers.Notifications;
using Switch.Monetary;

namespace Switch.Host.Tests.Notifications;

/// <summary>The wire format and signatures of docs/biller-api.md, against its test vector (section 8).</summary>
public class BillerContractTests
{
    private static readonly byte[] Key = Convert.FromBase64String("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;

    private static readonly BillerNotification[] Vector =
    [
        new("ELECT", 41, NotificationKind.Payment, "SW19AF3C2B7D100100002A", "SW19AF3C2B7D100100002A", "100001", "0000000042", "ELECT-00000042",
            new Money(40595, Sar), "ATM", DateTimeOffset.Parse("2026-12-06T20:15:00.123Z", System.Globalization.CultureInfo.InvariantCulture)),
        new("ELECT", 42, NotificationKind.Reversal, "SW19AF3C3E81C00100003F", "SW19AF3C2B7D100100002A", "100001", "0000000042", "ELECT-00000042",
            new Money(40595, Sar), "ATM", DateTimeOffset.Parse("2026-12-06T20:17:30.456Z", System.Globalization.CultureInfo.InvariantCulture)),
    ];

    [Fact]
    public void Notification_body_and_signatures_are_the_documented_test_vector()
    {
        var body = NotificationWire.Request("ELECT", Vector);
        var answer = """{"results":[{"sequence":41,"status":"accepted"},{"sequence":42,"status":"duplicate"}]}"""u8.ToArray();

        var signature = BillerSignature.SignRequest(Key, "POST", "/switch/notifications", 1796588100, body);

        Assert.Equal(
            """{"biller":"ELECT","notifications":[{"sequence":41,"type":"payment","switchReference":"SW19AF3C2B7D100100002A","paymentReference":"SW19AF3C2B7D100100002A","bank":"100001","accountNumber":"0000000042","billNumber":"ELECT-00000042","amount":"405.95","currency":"SAR","channel":"ATM","committedAt":"2026-12-06T20:15:00.123Z"},{"sequence":42,"type":"reversal","switchReference":"SW19AF3C3E81C00100003F","paymentReference":"SW19AF3C2B7D100100002A","bank":"100001","accountNumber":"0000000042","billNumber":"ELECT-00000042","amount":"405.95","currency":"SAR","channel":"ATM","committedAt":"2026-12-06T20:17:30.456Z"}]}""",
            Encoding.UTF8.GetString(body));
        Assert.Equal("4f17143ce850dd21072348e624e74f11130bf254ad4475ba4999cac8584172c6", BillerSignature.BodyHash(body));
        Assert.Equal("05e16040b755d4c501d44a93199eb5a2276690d13297ef2580195d8671b8ac01", signature);
        Assert.Equal("fd74b09e34b4ae63ad2559eeacdf3425ab675acb8b5d52c078e6626311bad196", BillerSignature.SignAnswer(Key, 200, signature, 1796588101, answer));
        Assert.Equal("f031ed98c2e9cae8b5b8b63b521f7ed4af60c24b2d448d958e6118111eb766bd",
            BillerSignature.SignRequest(Key, "POST", "/api/v1/biller-notifications/ELECT/replay", 1796588400, """{"fromSequence":37}"""u8));
    }

    [Fact]
    public void Answer_signed_for_another_request_or_with_another_status_does_not_verify()
    {
        var answer = """{"results":[]}"""u8.ToArray();
        var signed = BillerSignature.SignAnswer(Key, 200, "aa", 100, answer);

        Assert.True(BillerSignature.Matches(Key, BillerSignature.AnswerCanonical(200, "aa", 100, answer), signed));
        Assert.False(BillerSignature.Matches(Key, BillerSignature.AnswerCanonical(200, "bb", 100, answer), signed));
        Assert.False(BillerSignature.Matches(Key, BillerSignature.AnswerCanonical(503, "aa", 100, answer), signed));
        Assert.False(BillerSignature.Matches(Key, BillerSignature.AnswerCanonical(200, "aa", 100, answer), null));
        Assert.False(BillerSignature.Matches(Key, BillerSignature.AnswerCanonical(200, "aa", 100, answer), signed.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("1796588100", true)]
    [InlineData("1796588400", true)]
    [InlineData("1796588401", false)]
    [InlineData("1796587799", false)]
    [InlineData("-1796588100", false)]
    [InlineData("17965881.0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Timestamp_is_accepted_only_within_the_replay_window(string? header, bool accepted)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1796588100);

        Assert.Equal(accepted, BillerSignature.InWindow(header, now, out _));
    }

    [Theory]
    [InlineData("""{"results":[{"sequence":41,"status":"accepted"}]}""", "41:Accepted")]
    [InlineData("""{"results":[{"sequence":41,"status":"rejected","reason":"closed"},{"sequence":42,"status":"duplicate"}]}""", "41:Rejected 42:Duplicate")]
    [InlineData("""{"results":[{"sequence":43,"status":"accepted"}]}""", null)]
    [InlineData("""{"results":[{"sequence":41,"status":"ok"}]}""", null)]
    [InlineData("""{"results":{}}""", null)]
    [InlineData("""[1]""", null)]
    [InlineData("""not json""", null)]
    public void Answer_naming_only_sent_sequences_with_known_statuses_is_read_and_anything_else_refused(string answer, string? expected)
    {
        var read = NotificationWire.ReadAnswer(Encoding.UTF8.GetBytes(answer), new HashSet<long> { 41, 42 }, out var error);

        Assert.Equal(expected, read is null ? null : string.Join(' ', read.OrderBy(a => a.Key).Select(a => $"{a.Key}:{a.Value}")));
        Assert.Equal(expected is null, error is not null);
    }
}
