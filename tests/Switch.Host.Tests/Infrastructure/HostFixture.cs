using System.Net;
using Akka.Actor;
using Switch.Positions;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Switch.Host.Tests.Infrastructure;

/// <summary>
/// The real switch host on free ports, against the PostgreSQL and Redis that <c>./switch test</c> started
/// (their addresses come in the environment, as in production). The read timeout is short so stalls show quickly.
/// A derived fixture changes settings through <see cref="Settings"/>.
/// </summary>
public class HostFixture : IAsyncLifetime
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(1);

    private WebApplication? _app;

    public int IsoPort { get; } = FreePort();

    public int HttpPort { get; } = FreePort();

    public WebApplication App => _app ?? throw new InvalidOperationException("The host has not started.");

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        RequireServers();
        _app = SwitchHost.Build([], config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Switch:HttpUrl"] = $"http://127.0.0.1:{HttpPort}",
            ["Switch:Iso:Port"] = IsoPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Switch:Iso:ReadTimeout"] = ReadTimeout.ToString(),
            // Tests create banks and enrolments as they go; the switch must see them at once.
            ["Switch:CatalogRefresh"] = "00:00:00",
            ["Switch:BankCacheTime"] = "00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
        }).AddInMemoryCollection(Settings));
        await SwitchHost.StartAsync(_app);
    }

    /// <summary>Settings applied over the fixture's own.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>A bank connection to the switch, signed on (with MAC when a key is given).</summary>
    public async Task<Switch.Adapters.Iso8583.IsoClient> SignedOnAsync(string bankCode, byte[]? macKey = null)
    {
        var bank = await Switch.Adapters.Iso8583.IsoClient.ConnectAsync("127.0.0.1", IsoPort);
        bank.MacKey = macKey;
        var response = await bank.SendAsync(Iso.BankMessages.Network(bankCode, "001"), TimeSpan.FromSeconds(10));
        Assert.Equal("00", response.GetString(39));
        return bank;
    }

    /// <summary>A bank's committed and reserved amounts once none of its reservations is left, or as they are after 10 s.</summary>
    public async Task<(long Committed, long Reserved)> PositionWhenSettledAsync(string bank)
    {
        var wait = TimeSpan.FromSeconds(10);
        var until = DateTime.UtcNow + wait;
        while (true)
        {
            var position = await Service<Actors.SwitchActors>().Positions.Ask<PositionSnapshot>(new GetPosition(bank), wait);
            if (position.Reserved == 0 || DateTime.UtcNow > until)
            {
                return (position.Committed, position.Reserved);
            }

            await Task.Delay(50);
        }
    }

    /// <summary>End-to-end tests need the real servers; say how to get them rather than fail obscurely.</summary>
    public static string RequireServers()
    {
        return Environment.GetEnvironmentVariable("Switch__Postgres__ConnectionString")
            ?? throw new InvalidOperationException(
                "Switch__Postgres__ConnectionString is not set: run the tests with ./switch test (or ./switch devenv up and export what it prints).");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
