using System.Collections.Concurrent;

namespace Switch.Diagnostics;

/// <summary>
/// Decides which failures are worth a stack trace in the log. When PostgreSQL goes away, every payment in flight fails
/// the same way, thousands a second: the first of each kind (the exception's type and its inner exception's) is logged
/// whole, the rest are counted, and the next one logged after <paramref name="interval"/> says how many were not.
/// Kinds are exception types, so the set stays small whatever the input.
/// </summary>
public sealed class RepeatedFailures(TimeProvider time, TimeSpan interval)
{
    /// <summary>How often a failure that keeps repeating is logged whole.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(Type, Type?), Kind> _kinds = new();

    /// <summary>
    /// Whether to log this failure with its stack trace, and how many failures of its kind were only counted since the
    /// last one that was logged.
    /// </summary>
    public (bool Log, long NotLogged) Next(Exception failure)
    {
        var kind = _kinds.GetOrAdd((failure.GetType(), failure.InnerException?.GetType()), _ => new Kind());
        var now = time.GetUtcNow();
        lock (kind)
        {
            if (kind.LoggedAt is { } last && now - last < interval)
            {
                kind.NotLogged++;
                return (false, kind.NotLogged);
            }

            var notLogged = kind.NotLogged;
            kind.LoggedAt = now;
            kind.NotLogged = 0;
            return (true, notLogged);
        }
    }

    private sealed class Kind
    {
        public DateTimeOffset? LoggedAt;
        public long NotLogged;
    }
}
