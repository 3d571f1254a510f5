namespace Switch.Transactions;

/// <summary>
/// Switch references: "SW" and 16 hex digits of a number that only grows, the millisecond it was made followed by
/// a 20-bit count within that millisecond. Growing references land at the end of the journal's unique index instead
/// of on a random page of it, which keeps the index's hot part small and cached as the journal grows, and writes far
/// fewer full-page images to the WAL after each checkpoint. Unique within the process by construction (each is one
/// more than the last at least, even if the clock steps back) and across restarts because a restart takes longer
/// than a millisecond. Several nodes writing one journal would each need a tag of their own in the reference.
/// </summary>
public static class SwitchReference
{
    private const int CountBits = 20;
    private static long _last;

    public static string Next() => "SW" + NextNumber().ToString("X16");

    private static long NextNumber()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << CountBits;
        while (true)
        {
            var last = Volatile.Read(ref _last);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return next;
            }
        }
    }
}
