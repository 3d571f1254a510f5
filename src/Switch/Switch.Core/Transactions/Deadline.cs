namespace Switch.Transactions;

/// <summary>
/// When a request's answer is due, and the last moment an approval may still be committed so that it reaches the
/// bank in time. <see cref="AnswerBy"/> falls a little before the edges give up (they answer 91 after the full
/// request timeout): when the flow decides an approval came too late, the edge is still waiting to hear so, and the
/// two never disagree. Approvals stop earlier still, leaving room for one commit: the journal checks
/// <see cref="ApproveBy"/> by the database's clock inside the commit, and what follows that check (the rest of the
/// statement, the flush to disk) has until <see cref="AnswerBy"/> to finish, 900 ms at the default 5 s timeout, several
/// times a checkpoint's stall. A commit that still finishes later is answered 91 and declined in the journal; if the
/// process dies first, the check at start-up declines it by its commit timestamp. PostgreSQL takes that timestamp just
/// before the flush, so only a flush alone longer than the margin would escape both: the margin is what makes it rare.
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
