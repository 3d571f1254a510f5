using System.Net;
using System.Net.Sockets;
using Switch.Adapters.Iso8583;
using Switch.Host.Iso;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Iso;

/// <summary>Small caps and a sign-on deadline long enough that only a refusal closes a connection quickly.</summary>
public sealed class CappedIsoHostFixture : HostFixture
{
    public const int MaxConnections = 12;
    public const int MaxPerAddress = 8;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Switch:Iso:MaxConnections", MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Switch:Iso:MaxConnectionsPerAddress", MaxPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Switch:Iso:SignOnTimeout", "00:05:00"),
        new("Switch:Iso:MaxFailedSignOns", "3"),
    ];
}

/// <summary>An idle-connection flood past the caps while a signed-on bank keeps being served; a sign-on flood on one connection.</summary>
public class IsoConnectionLimitTests(CappedIsoHostFixture host) : IClassFixture<CappedIsoHostFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Flood_past_the_caps_is_refused_while_a_signed_on_bank_keeps_getting_answers()
    {
        var registry = host.Service<ConnectionRegistry>();
        await WaitUntil(() => registry.Open == 0);
        var (account, _) = await TestData.OpenBill(host.Service<Npgsql.NpgsqlDataSource>());
        await using var bank = await host.SignedOnAsync(PlainBank);
        var flood = new List<Socket>();
        try
        {
            // One address: its cap, then refusals.
            for (var i = 1; i <= CappedIsoHostFixture.MaxPerAddress; i++)
            {
                flood.Add(await ConnectFromAsync("127.0.0.2"));
                await WaitUntil(() => registry.Open == 1 + i);
            }

            for (var i = 0; i < 3; i++)
            {
                await RefusedAsync("127.0.0.2").WaitAsync(Wait);
            }

            // Another address: what is left of the total, then refusals.
            for (var i = registry.Open; i < CappedIsoHostFixture.MaxConnections; i++)
            {
                flood.Add(await ConnectFromAsync("127.0.0.3"));
                await WaitUntil(() => registry.Open == i + 1);
            }

            await RefusedAsync("127.0.0.3").WaitAsync(Wait);
            await RefusedAsync("127.0.0.4").WaitAsync(Wait);

            var inquiry = await bank.SendAsync(Inquiry(PlainBank, account), Wait);
            Assert.Equal("00", inquiry.GetString(39));
            Assert.Equal(CappedIsoHostFixture.MaxConnections, registry.Open);
            Assert.False(bank.Closed.IsCompleted);
        }
        finally
        {
            flood.ForEach(s => s.Dispose());
        }

        // Once the flood is gone, new connections are served again.
        await WaitUntil(() => registry.Open == 1);
        await using var next = await IsoClient.ConnectAsync("127.0.0.1", host.IsoPort);
        Assert.Equal("00", (await next.SendAsync(Network(PlainBank, "301"), Wait)).GetString(39));
    }

    [Fact]
    public async Task Connection_is_closed_after_its_third_failed_sign_on_is_answered()
    {
        // The sign-on deadline here is minutes away: only the failed sign-ons can close the connection.
        await using var flood = await IsoClient.ConnectAsync("127.0.0.1", host.IsoPort);

        var answers = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await flood.SendAsync(Network($"9{Random.Shared.Next(10_000_000, 99_999_999)}", "001"), Wait)).GetString(39));
        }

        await flood.Closed.WaitAsync(Wait);
        Assert.Equal(["63", "63", "63"], answers);
    }

    private async Task<Socket> ConnectFromAsync(string address)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        await socket.ConnectAsync(IPAddress.Loopback, host.IsoPort);
        return socket;
    }

    /// <summary>Connects and completes when the server closes the connection (end of stream, or a reset even as it connects).</summary>
    private async Task RefusedAsync(string address)
    {
        try
        {
            using var socket = await ConnectFromAsync(address);
            while (await socket.ReceiveAsync(new byte[16]) > 0)
            {
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold in time");
            await Task.Delay(20);
        }
    }
}
