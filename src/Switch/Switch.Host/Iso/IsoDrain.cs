using System.Globalization;
using Switch.Adapters.Iso8583;
using Switch.Participants;

namespace Switch.Host.Iso;

/// <summary>
/// The ISO 8583 side of a node asked to stop: every signed-on bank is sent a sign-off (0800 70=002), so that it moves
/// its traffic to another node; its connection stays open until the requests it already sent are answered and it has
/// sent nothing for a moment, or until <see cref="SwitchOptions.ClusterSettings.DrainTimeout"/>. Connections opened
/// while draining are closed at once.
/// </summary>
public sealed class IsoDrain(SwitchOptions options, TimeProvider time)
{
    /// <summary>How long a signed-off bank must have sent nothing, with nothing of its in progress, before its connection closes.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _begun = new();
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _open;
    private int _stan;

    public CancellationToken Begun => _begun.Token;

    public bool Draining => _begun.IsCancellationRequested;

    public TimeSpan Timeout => options.Cluster.DrainTimeout;

    public void Opened() => Interlocked.Increment(ref _open);

    public void Closed()
    {
        if (Interlocked.Decrement(ref _open) == 0 && Draining)
        {
            _allClosed.TrySetResult();
        }
    }

    /// <summary>Signs every bank off and returns once every connection has closed (false: some were still open at <paramref name="limit"/>).</summary>
    public async Task<bool> DrainAsync(TimeSpan limit)
    {
        await _begun.CancelAsync();
        if (Volatile.Read(ref _open) == 0)
        {
            return true;
        }

        try
        {
            await _allClosed.Task.WaitAsync(limit, time);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The switch's own sign-off of a bank (spec: 0800 with 70=002): fields 7, 11, 32 and 70.</summary>
    public IsoMessage SignOff(Bank bank)
    {
        var stan = (Interlocked.Increment(ref _stan) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        return new IsoMessage("0800")
            .Set(7, time.GetUtcNow().ToString("MMddHHmmss", CultureInfo.InvariantCulture))
            .Set(11, stan)
            .Set(32, bank.Code)
            .Set(70, NetworkManagement.SignOff);
    }
}
