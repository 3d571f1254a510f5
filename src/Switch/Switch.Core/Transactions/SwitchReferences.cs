namespace Switch.Transactions;

/// <summary>
/// The switch references one node makes, of payments and reversals: "SW" and 20 hex digits of an 80-bit number, the
/// millisecond it was made (44 bits), a count within that millisecond (12 bits), then the node's number (24 bits).
/// <para>
/// Unique by construction: each node process takes a number of its own when it starts (from PostgreSQL, never the same
/// twice, also not for a restart of one machine), and within the process every reference's time and count is more
/// than the last one's, even if the clock steps back (more than 4,096 a millisecond borrow from the next one).
/// </para>
/// <para>
/// Growing: the time leads, so references land at the end of the journal's unique index instead of on a random page of
/// it, which keeps the index's hot part small and cached as the journal grows and writes far fewer full-page images to
/// the WAL after each checkpoint; and "made since" is a range of that index (<see cref="EarliestAt"/>). The references
/// made before node numbers ("SW" and 16 hex digits) start with the same 11 digits of milliseconds, so both kinds sort
/// by time together.
/// </para>
/// </summary>
public sealed class SwitchReferences
{
    /// <summary>The largest node number a reference can carry.</summary>
    public const int MaxNode = (1 << NodeBits) - 1;

    public const int Length = 22;

    private const int CountBits = 12;
    private const int NodeBits = 24;

    private readonly Lazy<int> _node;
    private readonly TimeProvider _time;
    private long _last;

    public SwitchReferences(int node, TimeProvider time)
        : this(() => node, time) => _ = _node.Value;

    /// <param name="node">Read at the first reference: the host is built before the node takes its number from the database.</param>
    public SwitchReferences(Func<int> node, TimeProvider time)
    {
        _node = new Lazy<int>(() =>
        {
            var number = node();
            return number is >= 1 and <= MaxNode ? number : throw new ArgumentOutOfRangeException(nameof(node), number, $"A node number is from 1 to {MaxNode}.");
        });
        _time = time;
    }

    public string Next()
    {
        var state = (Time: NextTime(), Node: _node.Value);
        return string.Create(Length, state, static (chars, s) =>
        {
            chars[0] = 'S';
            chars[1] = 'W';
            s.Time.TryFormat(chars[2..16], out _, "X14");
            s.Node.TryFormat(chars[16..], out _, "X6");
        });
    }

    /// <summary>
    /// The prefix of every reference made in the millisecond of <paramref name="time"/> (also of the old format): the
    /// references made then or later by their node's clock sort at or above it, the ones made before below it.
    /// </summary>
    public static string EarliestAt(DateTimeOffset time) => "SW" + time.ToUnixTimeMilliseconds().ToString("X11");

    /// <summary>
    /// When a reference was made, to the millisecond, by its node's clock: its first 11 hex digits in either format (null
    /// for text that is no reference).
    /// </summary>
    public static DateTimeOffset? MadeAt(string reference) =>
        reference.Length >= 13 && reference.StartsWith("SW", StringComparison.Ordinal)
        && long.TryParse(reference.AsSpan(2, 11), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    /// <summary>The millisecond and count part: one more than the last at least, so never the same twice in this process.</summary>
    private long NextTime()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds() << CountBits;
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
