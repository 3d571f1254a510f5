namespace Switch.Transactions;

/// <summary>
/// When a request's answer is due, and the last moment an approval may still be committed so that it reaches the
/// bank in time. <see cref="AnswerBy"/> falls a little before the edges give up (they answer 91 after the full
/// request timeout): when the flow decides an approval came too late, the edge is still waiting to hear so, and the
/// two never disagree. Approvals stop earlier still, leaving room for one commit.
/// </summary>
public readonly record struct Deadline(DateTimeOffset AnswerBy, DateTimeOffset ApproveBy)
{
    public Deadline(DateTimeOffset received, TimeSpan requestTimeout)
        : this(received + requestTimeout - Share(requestTimeout, 20, TimeSpan.FromMilliseconds(100)),
               received + requestTimeout - Share(requestTimeout, 5, TimeSpan.FromSeconds(1)))
    {
    }

    public bool Passed(TimeProvider time) => time.GetUtcNow() >= AnswerBy;

    /// <summary>A part of the timeout, capped: a twentieth (at most 100 ms) to answer, a fifth (at most a second) to commit.</summary>
    private static TimeSpan Share(TimeSpan requestTimeout, int parts, TimeSpan cap) => TimeSpan.FromTicks(Math.Min(requestTimeout.Ticks / parts, cap.Ticks));
}
