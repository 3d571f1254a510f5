using System.Text;
using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Host.Iso;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Iso;

/// <summary>What a hostile or broken bank host sends: bytes outside the character sets, impossible dates, sign-ons it cannot prove.</summary>
public class IsoHostileInputTests(HostFixture host) : IClassFixture<HostFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    /// <summary>The message packed, with the one '~' in it replaced by <paramref name="bad"/>.</summary>
    private static byte[] WithByte(IsoMessage message, byte bad)
    {
        var buffer = new byte[8192];
        var packed = buffer[..IsoCodec.Spec.Pack(message, buffer)];
        var at = Array.IndexOf(packed, (byte)'~');
        Assert.True(at >= 0 && Array.IndexOf(packed, (byte)'~', at + 1) < 0, "the message must hold exactly one '~'");
        packed[at] = bad;
        return packed;
    }

    private async Task<long> JournaledAsync(IsoMessage request)
    {
        await using var command = host.Service<NpgsqlDataSource>().CreateCommand("select count(*) from payments where reference = $1");
        command.Parameters.AddWithValue(request.GetString(37)!);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Theory]
    [InlineData(0xFF)]
    [InlineData(0x00)]
    public async Task Payment_with_a_byte_outside_ans_in_field_41_is_answered_30_and_not_journaled(byte bad)
    {
        var (account, _) = await TestData.OpenBill(host.Service<NpgsqlDataSource>());
        await using var bank = await host.SignedOnAsync(PlainBank);
        var payment = Payment(PlainBank, account).Set(41, "ATM0000~");

        await bank.SendMessageBytesAsync(WithByte(payment, bad));
        var response = await bank.ReceiveUnmatchedAsync(Wait);
        var echo = await bank.SendAsync(Network(PlainBank, "301"), Wait);

        Assert.Equal(("0210", "30"), (response.MtiText, response.GetString(39)));
        Assert.Equal("00", echo.GetString(39));
        Assert.Equal(0, await JournaledAsync(payment));
    }

    [Theory]
    [InlineData(41)]
    [InlineData(48)]
    public async Task Payment_with_0xFF_before_sign_on_is_answered_30(int field)
    {
        await using var bank = await IsoClient.ConnectAsync("127.0.0.1", host.IsoPort);
        var payment = field == 41
            ? Payment(PlainBank).Set(41, "ATM0000~")
            : Payment(PlainBank).Set(48, Field48.Build(("BC", "ELECT"), ("AN", "12345~7890"), ("CH", "ATM")));

        await bank.SendMessageBytesAsync(WithByte(payment, 0xFF));
        var response = await bank.ReceiveUnmatchedAsync(Wait);

        Assert.Equal(("0210", "30"), (response.MtiText, response.GetString(39)));
        Assert.Equal(0, await JournaledAsync(payment));
    }

    [Fact]
    public async Task Echo_with_a_byte_outside_ans_is_answered_0810_30_and_the_connection_stays_open()
    {
        await using var bank = await host.SignedOnAsync(PlainBank);

        await bank.SendMessageBytesAsync(WithByte(Network(PlainBank, "301").Set(41, "ATM0000~"), 0xFF));
        var response = await bank.ReceiveUnmatchedAsync(Wait);
        var echo = await bank.SendAsync(Network(PlainBank, "301"), Wait);

        Assert.Equal(("0810", "30"), (response.MtiText, response.GetString(39)));
        Assert.Equal("00", echo.GetString(39));
    }

    [Fact]
    public async Task Failed_sign_on_claiming_a_mac_bank_is_not_signed_with_its_key()
    {
        await using var bank = await IsoClient.ConnectAsync("127.0.0.1", host.IsoPort);

        var withoutMac = await bank.SendAsync(Network(MacBank, "001").Set(41, "CHOSEN01"), Wait);
        await bank.SendMessageBytesAsync(WithByte(Network(MacBank, "001").Set(41, "ATM0000~"), 0xFF));
        var formatError = await bank.ReceiveUnmatchedAsync(Wait);

        Assert.Equal("63", withoutMac.GetString(39));
        Assert.False(withoutMac.Has(IsoCodec.MacField));
        Assert.Equal("30", formatError.GetString(39));
        Assert.False(formatError.Has(IsoCodec.MacField));
    }

    [Fact]
    public async Task Mac_bank_signed_on_gets_its_format_errors_signed()
    {
        await using var bank = await host.SignedOnAsync(MacBank, MacKey);

        await bank.SendMessageBytesAsync(WithByte(Network(MacBank, "301").Set(41, "ATM0000~"), 0xFF));
        var formatError = await bank.ReceiveUnmatchedAsync(Wait);

        Assert.Equal("30", formatError.GetString(39));
        Assert.True(IsoCodec.VerifyMac(formatError, MacKey));
    }

    [Theory]
    [InlineData(13, "9999")]
    [InlineData(13, "0230")]
    [InlineData(7, "1399120000")]
    [InlineData(12, "250000")]
    public async Task Payment_with_an_impossible_date_or_time_is_answered_30_and_not_journaled(int field, string value)
    {
        var (account, _) = await TestData.OpenBill(host.Service<NpgsqlDataSource>());
        await using var bank = await host.SignedOnAsync(PlainBank);
        var payment = Payment(PlainBank, account).Set(field, value);

        var response = await bank.SendAsync(payment, Wait);

        Assert.Equal(("0210", "30"), (response.MtiText, response.GetString(39)));
        Assert.Equal(0, await JournaledAsync(payment));
    }

    [Fact]
    public async Task Payment_is_journaled_under_field_13_with_its_year_and_last_years_key_does_not_replay()
    {
        var dataSource = host.Service<NpgsqlDataSource>();
        var (account, amount) = await TestData.OpenBill(dataSource);
        await using var bank = await host.SignedOnAsync(PlainBank);
        var payment = Payment(PlainBank, account, amount);
        var localDate = IsoDates.LocalDate(null, null, payment.GetString(13)!, DateTimeOffset.UtcNow)!.Value;
        // Last year's payment (declined, so no position moves) with the same RRN and MMDD, as the switch journals it.
        await using (var lastYear = dataSource.CreateCommand("""
            insert into payments (bank_code, reference, local_date, fingerprint, biller_code, account_number, amount, currency, channel, response_code)
            values ('100001', $1, $2, '\x00', 'ELECT', $3, 1000, 682, 'ATM', '05')
            """))
        {
            lastYear.Parameters.AddWithValue(payment.GetString(37)!);
            lastYear.Parameters.AddWithValue(IsoDates.KeyText(localDate.AddYears(-1)));
            lastYear.Parameters.AddWithValue(account);
            await lastYear.ExecuteNonQueryAsync();
        }

        var response = await bank.SendAsync(payment, Wait);

        Assert.Equal("00", response.GetString(39));
        await using var journaled = dataSource.CreateCommand("select switch_reference from payments where reference = $1 and local_date = $2");
        journaled.Parameters.AddWithValue(payment.GetString(37)!);
        journaled.Parameters.AddWithValue(IsoDates.KeyText(localDate));
        Assert.Equal(Field48.Parse(response.GetString(48)!).Single(e => e.Key == "SR").Value, (string?)await journaled.ExecuteScalarAsync());
    }
}
