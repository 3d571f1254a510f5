namespace Switch.Positions;

/// <summary>How position actors settle what nobody settled, ride out journal outages and follow cap changes (Switch:Positions).</summary>
public sealed class PositionSettings
{
    /// <summary>How long past its caller's deadline a reservation waits for its confirm or release before the journal decides it.</summary>
    public TimeSpan SettleMargin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often held reservations are checked for being overdue.</summary>
    public TimeSpan SweepEvery { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The first pause after the journal could not be read; it doubles up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryFirst { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RetryMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one read of the journal may take; the bank's requests wait for a read that settles reservations.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How soon a cap changed in the database (directly or not) is enforced.</summary>
    public TimeSpan CapRefresh { get; set; } = TimeSpan.FromSeconds(5);
}
