namespace Switch.Transactions;

/// <summary>
/// When a request's answer is due (the edges answer 91 then), and the last moment an approval may still be
/// committed so that it reaches the bank in time: a commit needs a moment, so approvals stop a little earlier.
/// </summary>
public readonly record struct Deadline(DateTimeOffset AnswerBy, DateTimeOffset ApproveBy)
{
    public Deadline(DateTimeOffset received, TimeSpan requestTimeout)
        : this(received + requestTimeout, received + requestTimeout - CommitAllowance(requestTimeout))
    {
    }

    public bool Passed(TimeProvider time) => time.GetUtcNow() >= AnswerBy;

    /// <summary>A fifth of the timeout, at most a second: room for one commit and the answer's way back.</summary>
    private static TimeSpan CommitAllowance(TimeSpan requestTimeout) => TimeSpan.FromTicks(Math.Min(requestTimeout.Ticks / 5, TimeSpan.TicksPerSecond));
}
