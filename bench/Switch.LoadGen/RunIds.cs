using System.Globalization;

namespace Switch.LoadGen;

/// <summary>
/// Identifiers of one run: a prefix no other run uses, so the journal check finds exactly this run's payments, and
/// one local date (field 13, part of every ISO key) for the whole run.
/// </summary>
public sealed class RunIds
{
    private long _sequence;

    public string Prefix { get; } = new(Random.Shared.GetItems("ABCDEFGHJKLMNPQRSTUVWXYZ".ToCharArray(), 4));

    public DateTime Started { get; } = DateTime.UtcNow;

    /// <summary>
    /// The local date as the switch journals it in the key: field 13 (the MMDD of <see cref="Started"/>) bound to the
    /// year nearest the switch's clock, written YYYYMMDD.
    /// </summary>
    public string LocalDate => Started.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public long Next() => Interlocked.Increment(ref _sequence);

    /// <summary>Field 37: twelve characters.</summary>
    public string Rrn(long sequence) => $"L{Prefix}{sequence % 10_000_000:D7}";

    /// <summary>A REST Idempotency-Key under the same prefix.</summary>
    public string IdempotencyKey(long sequence) => $"L{Prefix}R{sequence}";
}
