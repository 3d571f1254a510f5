using System.Net.Sockets;
using Switch.Adapters.Iso8583;
using Switch.Host.Iso;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Iso;

/// <summary>The listener over real sockets against the real host, PostgreSQL behind it.</summary>
public class IsoListenerTests(HostFixture host) : IClassFixture<HostFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Sign_on_echo_and_sign_off_are_approved()
    {
        await using var bank = await Connect();

        var signOn = await bank.SendAsync(Network(PlainBank, "001"), Wait);
        var echo = await bank.SendAsync(Network(PlainBank, "301"), Wait);
        var signOff = await bank.SendAsync(Network(PlainBank, "002"), Wait);

        Assert.All([signOn, echo, signOff], r => Assert.Equal(("0810", "00"), (r.MtiText, r.GetString(39))));
        Assert.Equal("001", signOn.GetString(70));
        Assert.Equal(PlainBank, signOn.GetString(32));
    }

    [Fact]
    public async Task Financial_request_before_sign_on_is_answered_91()
    {
        await using var bank = await Connect();

        var response = await bank.SendAsync(Payment(PlainBank), Wait);

        Assert.Equal(("0210", "91"), (response.MtiText, response.GetString(39)));
    }

    [Fact]
    public async Task Response_echoes_the_request_fields_and_48_BC_and_AN_only()
    {
        await using var bank = await host.SignedOnAsync(PlainBank);
        var request = Inquiry(PlainBank).Set(48, "BC005ELECTAN0101234567890CH003ATMZZ001X");

        var response = await bank.SendAsync(request, Wait);

        foreach (var field in new[] { 3, 7, 11, 12, 13, 32, 37, 41 })
        {
            Assert.Equal(request.GetString(field), response.GetString(field));
        }

        Assert.Equal("BC005ELECTAN0101234567890", response.GetString(48));
        Assert.Equal(("0110", "14"), (response.MtiText, response.GetString(39)));
    }

    [Fact]
    public async Task Field_32_of_another_bank_is_answered_63()
    {
        await using var bank = await host.SignedOnAsync(PlainBank);

        var response = await bank.SendAsync(Payment(MacBank), Wait);

        Assert.Equal("63", response.GetString(39));
    }

    [Fact]
    public async Task Sign_on_of_an_unknown_bank_is_answered_63()
    {
        await using var bank = await Connect();

        var response = await bank.SendAsync(Network("999999", "001"), Wait);

        Assert.Equal("63", response.GetString(39));
    }

    [Fact]
    public async Task Mac_bank_signs_on_only_with_a_good_mac_and_gets_signed_responses()
    {
        await using var bank = await Connect();

        var withoutMac = await bank.SendAsync(Network(MacBank, "001"), Wait);
        bank.MacKey = [.. MacKey.Select(b => (byte)(b ^ 1))];
        var wrongMac = await bank.SendAsync(Network(MacBank, "001"), Wait);
        bank.MacKey = MacKey;
        var goodMac = await bank.SendAsync(Network(MacBank, "001"), Wait);

        Assert.Equal(new[] { "63", "63", "00" }, new[] { withoutMac.GetString(39), wrongMac.GetString(39), goodMac.GetString(39) });
        Assert.True(IsoCodec.VerifyMac(goodMac, MacKey));
    }

    [Fact]
    public async Task Mac_bank_financial_request_with_a_bad_mac_is_answered_63()
    {
        var (account, _) = await TestData.OpenBill(host.Service<Npgsql.NpgsqlDataSource>());
        await using var bank = await host.SignedOnAsync(MacBank, MacKey);
        var good = await bank.SendAsync(Inquiry(MacBank, account), Wait);
        bank.MacKey = [.. MacKey.Select(b => (byte)(b ^ 1))];

        var bad = await bank.SendAsync(Inquiry(MacBank, account), Wait);

        Assert.Equal("00", good.GetString(39));
        Assert.True(IsoCodec.VerifyMac(good, MacKey));
        Assert.Equal("63", bad.GetString(39));
    }

    [Fact]
    public async Task Format_error_is_answered_30_and_the_connection_stays_open()
    {
        await using var bank = await host.SignedOnAsync(PlainBank);
        byte[] badAmount = [.. "0200"u8, .. Convert.FromHexString("3000000000000000"), .. "500000"u8, .. "00000000000A"u8];

        await bank.SendMessageBytesAsync(badAmount);
        var formatError = await bank.ReceiveUnmatchedAsync(Wait);
        var echo = await bank.SendAsync(Network(PlainBank, "301"), Wait);

        Assert.Equal(("0210", "30"), (formatError.MtiText, formatError.GetString(39)));
        Assert.Equal([39], formatError.ToMessage().Fields);
        Assert.Equal("00", echo.GetString(39));
    }

    [Fact]
    public async Task Unsupported_request_class_is_answered_12()
    {
        await using var bank = await host.SignedOnAsync(PlainBank);

        var response = await bank.SendAsync(Stamp(new IsoMessage("0300").Set(32, PlainBank)), Wait);

        Assert.Equal(("0310", "12"), (response.MtiText, response.GetString(39)));
    }

    [Fact]
    public async Task Keep_alive_frames_are_ignored()
    {
        await using var bank = await host.SignedOnAsync(PlainBank);

        await bank.SendRawAsync(new byte[] { 0, 0, 0, 0 });
        var echo = await bank.SendAsync(Network(PlainBank, "301"), Wait);

        Assert.Equal("00", echo.GetString(39));
    }

    [Fact]
    public async Task Thousand_pipelined_requests_on_one_connection_are_all_answered()
    {
        var (account, _) = await TestData.OpenBill(host.Service<Npgsql.NpgsqlDataSource>());
        await using var bank = await host.SignedOnAsync(PlainBank);
        var requests = Enumerable.Range(0, 1000).Select(_ => Inquiry(PlainBank, account)).ToList();

        var responses = await Task.WhenAll(requests.Select(r => bank.SendAsync(r, TimeSpan.FromSeconds(30))));

        Assert.Equal(requests.Select(r => r.GetString(11)).Order(), responses.Select(r => r.GetString(11)).Order());
        Assert.All(responses, r => Assert.Equal("00", r.GetString(39)));
    }

    [Fact]
    public async Task Oversize_frame_closes_the_connection()
    {
        await using var bank = await host.SignedOnAsync(PlainBank);

        await bank.SendRawAsync(new byte[] { 0x20, 0x01 });   // announces 8,193 bytes

        await bank.Closed.WaitAsync(Wait);
    }

    [Fact]
    public async Task Stalled_partial_frame_is_closed_after_the_read_timeout()
    {
        await using var bank = await host.SignedOnAsync(PlainBank);

        await bank.SendRawAsync(new byte[] { 0x00, 0x40, (byte)'0', (byte)'8' });

        await bank.Closed.WaitAsync(HostFixture.ReadTimeout + Wait);
    }

    [Fact]
    public async Task Peer_that_disconnects_mid_frame_leaves_no_connection_behind()
    {
        var registry = host.Service<ConnectionRegistry>();
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync("127.0.0.1", host.IsoPort);
            await WaitUntil(() => registry.Open >= 1);
            await socket.SendAsync(new byte[] { 0x00, 0x40, (byte)'0', (byte)'2' });
        }

        await WaitUntil(() => registry.Open == 0);
    }

    [Fact]
    public async Task Sign_on_beyond_the_bank_connection_limit_is_answered_91()
    {
        var registry = host.Service<ConnectionRegistry>();
        await WaitUntil(() => registry.SignedOnByBank().GetValueOrDefault(PlainBank) == 0);
        var limit = (await host.Service<Switch.Participants.IBankDirectory>().FindAsync(PlainBank, default))!.MaxConnections;
        var connections = new List<IsoClient>();
        try
        {
            for (var i = 0; i < limit; i++)
            {
                connections.Add(await host.SignedOnAsync(PlainBank));
            }

            await using var oneTooMany = await Connect();
            var refused = await oneTooMany.SendAsync(Network(PlainBank, "001"), Wait);

            Assert.Equal("91", refused.GetString(39));
            Assert.Equal(limit, registry.SignedOnByBank()[PlainBank]);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private Task<IsoClient> Connect() => IsoClient.ConnectAsync("127.0.0.1", host.IsoPort);


    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 5 s");
            await Task.Delay(20);
        }
    }
}
