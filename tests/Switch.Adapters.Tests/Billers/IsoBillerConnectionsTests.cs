using Microsoft.Extensions.Logging.Abstractions;
using Switch.Adapters.Billers;
using Switch.Adapters.Iso8583;

namespace Switch.Adapters.Tests.Billers;

/// <summary>The switch as a client of a biller's ISO 8583 host, against a scripted host on a real socket.</summary>
public sealed class IsoBillerConnectionsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ScriptedBillerHost _host = new();
    private IsoBillerConnections _pool = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }

        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Signs_on_every_connection_and_matches_concurrent_answers_to_their_requests()
    {
        _host.Delay = request => TimeSpan.FromMilliseconds(request.Mti == 200 ? Random.Shared.Next(0, 30) : 0);
        Start(connections: 3);
        await _pool.WaitSignedOnAsync(3, Wait);

        var answers = await Task.WhenAll(Enumerable.Range(1, 200).Select(i => _pool.SendAsync(Payment(i), Wait, default)));

        Assert.Equal(3, _host.SignOns);
        Assert.Equal(Enumerable.Range(1, 200).Select(Amount), answers.Select(a => a.GetString(4)));
        Assert.Equal(200, answers.Select(a => a.GetString(11)).Distinct().Count());
    }

    [Fact]
    public async Task A_dropped_connection_is_replaced_and_signed_on_again()
    {
        Start(connections: 2);
        await _pool.WaitSignedOnAsync(2, Wait);

        _host.DropAll();
        await UntilAsync(() => _host.SignOns == 4 && _pool.SignedOn == 2);

        Assert.Equal("00", (await _pool.SendAsync(Payment(1), Wait, default)).GetString(39));
    }

    [Fact]
    public async Task With_no_connection_signed_on_a_request_fails_at_once_and_refused_sign_ons_are_retried()
    {
        _host.Answer = request => ScriptedBillerHost.Reply(request, request.Mti == 800 ? "91" : "00");
        Start(connections: 1);
        await UntilAsync(() => _host.SignOns >= 2);

        await Assert.ThrowsAsync<BillerUnavailableException>(() => _pool.SendAsync(Payment(1), Wait, default));
        _host.Answer = request => ScriptedBillerHost.Reply(request, "00");
        await _pool.WaitSignedOnAsync(1, Wait);
        Assert.Equal("00", (await _pool.SendAsync(Payment(2), Wait, default)).GetString(39));
    }

    [Fact]
    public async Task A_late_answer_goes_to_no_other_request_and_is_kept_for_reconciliation()
    {
        Start(connections: 1);
        await _pool.WaitSignedOnAsync(1, Wait);
        _host.Delay = request => request.GetString(37) == "LATE00000001" ? TimeSpan.FromMilliseconds(600) : TimeSpan.Zero;

        var late = Payment(1).Set(37, "LATE00000001");
        await Assert.ThrowsAsync<TimeoutException>(() => _pool.SendAsync(late, TimeSpan.FromMilliseconds(200), default));
        var next = await _pool.SendAsync(Payment(2), Wait, default);
        var kept = await _pool.LateResponses.ReadAsync().AsTask().WaitAsync(Wait);

        Assert.Equal(Amount(2), next.GetString(4));
        Assert.Equal(("LATE00000001", Amount(1)), (kept.GetString(37), kept.GetString(4)));
        Assert.Equal(1, _pool.LateCount);
    }

    [Fact]
    public async Task A_connection_whose_echo_goes_unanswered_is_replaced()
    {
        var echoes = 0;
        _host.Answer = request => request.GetString(70) == "301" && Interlocked.Increment(ref echoes) == 1 ? null : ScriptedBillerHost.Reply(request, "00");
        Start(connections: 1, echoEvery: TimeSpan.FromMilliseconds(200));

        await UntilAsync(() => _host.SignOns == 2 && _pool.SignedOn == 1 && Volatile.Read(ref echoes) >= 2);

        Assert.Equal("00", (await _pool.SendAsync(Payment(1), Wait, default)).GetString(39));
    }

    private void Start(int connections, TimeSpan? echoEvery = null) => _pool = new IsoBillerConnections(new IsoBillerSettings
    {
        Host = "127.0.0.1",
        Port = _host.Port,
        Institution = "000777",
        Connections = connections,
        EchoEvery = echoEvery ?? TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(1),
        FirstBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
    }, TimeProvider.System, NullLogger.Instance);

    private static string Amount(int i) => (1_000 + i).ToString("D12", System.Globalization.CultureInfo.InvariantCulture);

    private static IsoMessage Payment(int i) =>
        BankRequests.Payment("000777", "ELECT", "0000000005", 1_000 + i).Set(37, $"SW{i:D10}").Set(12, "120000").Set(13, "1206");

    private static async Task UntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not come true in time");
            await Task.Delay(10);
        }
    }
}
