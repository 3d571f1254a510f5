using System.Diagnostics;
using Switch.Adapters.Iso8583;
using Switch.Host.Tests.Infrastructure;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Iso;

public sealed class ShortSignOnHostFixture : HostFixture
{
    public static readonly TimeSpan SignOnTimeout = TimeSpan.FromSeconds(1.5);

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Switch:Iso:SignOnTimeout", SignOnTimeout.ToString()),
    ];
}

/// <summary>Connections that do not sign on in time are closed; frames that do not arrive whole in time too.</summary>
public class IsoSignOnDeadlineTests(ShortSignOnHostFixture host) : IClassFixture<ShortSignOnHostFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Connection_not_signed_on_is_closed_at_the_deadline_and_a_signed_on_one_is_not()
    {
        var clock = Stopwatch.StartNew();
        await using var idle = await IsoClient.ConnectAsync("127.0.0.1", host.IsoPort);
        await using var bank = await host.SignedOnAsync(PlainBank);

        await idle.Closed.WaitAsync(ShortSignOnHostFixture.SignOnTimeout + Wait);
        var closedAfter = clock.Elapsed;
        var echo = await bank.SendAsync(Network(PlainBank, "301"), Wait);

        Assert.InRange(closedAfter, ShortSignOnHostFixture.SignOnTimeout - TimeSpan.FromMilliseconds(100), ShortSignOnHostFixture.SignOnTimeout + TimeSpan.FromSeconds(2));
        Assert.Equal("00", echo.GetString(39));
    }

    [Fact]
    public async Task Frame_dribbled_byte_by_byte_is_closed_at_the_read_timeout_from_its_first_byte()
    {
        await using var bank = await host.SignedOnAsync(PlainBank);
        var clock = Stopwatch.StartNew();

        // Each byte comes well within the read timeout of the last; the frame as a whole does not.
        await bank.SendRawAsync(new byte[] { 0x00, 0x40 });
        for (var i = 0; i < 40 && !bank.Closed.IsCompleted; i++)
        {
            await Task.WhenAny(bank.Closed, Task.Delay(HostFixture.ReadTimeout / 4));
            try
            {
                await bank.SendRawAsync(new[] { (byte)'0' });
            }
            catch (IOException)
            {
                break;
            }
        }

        await bank.Closed.WaitAsync(Wait);
        Assert.InRange(clock.Elapsed, HostFixture.ReadTimeout - TimeSpan.FromMilliseconds(100), HostFixture.ReadTimeout + TimeSpan.FromSeconds(1.5));
    }
}
