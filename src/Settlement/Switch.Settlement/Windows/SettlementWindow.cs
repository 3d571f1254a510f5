using Switch.Monetary;

namespace Switch.Settlement.Windows;

public enum WindowState
{
    Open,
    Closed,
    Settled,
    Aborted,
}

/// <summary>How a window was closed: at a configured cut-off, or on demand by the central bank.</summary>
public enum ClosedBy
{
    Cutoff,
    Demand,
}

/// <summary>
/// A settlement window of one currency and what it holds: approved payments and applied reversals committed while it
/// was open (reversals counted apart, whichever window their payment was in). An aborted window names the window its
/// contents settle with.
/// </summary>
public sealed record SettlementWindow(
    long Id,
    Currency Currency,
    WindowState State,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ClosedAt,
    ClosedBy? ClosedBy,
    DateTimeOffset? EndedAt,
    long? CarriedInto,
    long Payments,
    Money Paid,
    long Reversals,
    Money Reversed)
{
    /// <summary>What the window's banks owe for it: paid less reversed.</summary>
    public Money Net => Paid - Reversed;
}

/// <summary>A state change the central bank asks for.</summary>
public enum WindowAction
{
    Confirm,
    Abort,
}

/// <summary>The rules of a window's life: open → closed → settled, or closed → aborted; nothing else.</summary>
public static class WindowTransitions
{
    /// <summary>Null when <paramref name="action"/> may be taken on a window in <paramref name="state"/>, otherwise why not.</summary>
    public static string? Refusal(WindowState state, WindowAction action) => (action, state) switch
    {
        (WindowAction.Confirm, WindowState.Closed) or (WindowAction.Abort, WindowState.Closed) => null,
        (_, WindowState.Open) => "the window is open: close it first",
        (_, WindowState.Settled) => "the window is already settled",
        (_, WindowState.Aborted) => "the window was aborted: its contents settle with the window it was carried into",
        _ => $"the window is {state.ToString().ToLowerInvariant()}",
    };
}

/// <summary>
/// The outcome of a close: the window closed and the one opened; how long it waited for the commits in flight
/// (<paramref name="LockWait"/>); how long commits were held in the server, that wait included (<paramref name="InServer"/>;
/// its commit adds one fsync); and the close's round trip as its client saw it (<paramref name="Elapsed"/>).
/// </summary>
public sealed record WindowClose(long WindowId, long NextWindowId, TimeSpan LockWait, TimeSpan InServer, TimeSpan Elapsed);

public enum WindowChangeOutcome
{
    Done,
    NoSuchWindow,
    Refused,
}

/// <summary>A confirm or abort: done, or why not (nothing was changed then); for a confirm, the banks whose positions it released.</summary>
public sealed record WindowChange(WindowChangeOutcome Outcome, string? Reason = null, SettlementWindow? Window = null)
{
    public IReadOnlyList<string> Released { get; init; } = [];
}
