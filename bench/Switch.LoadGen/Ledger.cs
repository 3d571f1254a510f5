using System.Collections.Concurrent;

namespace Switch.LoadGen;

/// <summary>An approved payment as the load generator heard it.</summary>
public sealed class Approval(string bank, string reference, string localDate, string biller, long amount, Edge edge)
{
    public string Bank => bank;

    public string Reference => reference;

    public string LocalDate => localDate;

    public string Biller => biller;

    public long Amount => amount;

    public Edge Edge => edge;

    /// <summary>A reversal of it was answered 00.</summary>
    public bool Reversed { get; set; }

    /// <summary>A reversal was sent but not answered: the journal may say either.</summary>
    public bool ReversalUnknown { get; set; }

    public JournalKey Key => new(bank, reference, localDate);
}

/// <summary>A payment's key in the journal: bank, reference (field 37 or the Idempotency-Key) and local date ('' for REST).</summary>
public readonly record struct JournalKey(string Bank, string Reference, string LocalDate);

/// <summary>
/// Everything the run was told that the journal check needs, and the approvals still waiting to be reversed.
/// Only a run that reverses keeps what reversing takes (the original ISO 8583 request, which 0420 repeats, or the
/// REST paymentId), and only up to a limit: kept for every approval, a minute of load grew the process by 1.5 GB
/// and the garbage collector's work with it, which slowed the load it was measuring.
/// </summary>
public sealed class Ledger(bool reverses)
{
    private const int MostWaitingToReverse = 10_000;
    private readonly ConcurrentQueue<Reversal> _toReverse = new();
    private int _waiting;

    public ConcurrentDictionary<JournalKey, Approval> Approvals { get; } = new();

    /// <summary>Payments sent without an answer: the journal may hold them approved.</summary>
    public ConcurrentDictionary<JournalKey, byte> Unanswered { get; } = new();

    /// <param name="reversalHandle">The original ISO 8583 request, or the REST paymentId.</param>
    public void Approved(Approval approval, object reversalHandle)
    {
        Approvals[approval.Key] = approval;
        if (!reverses)
        {
            return;
        }

        if (Interlocked.Increment(ref _waiting) <= MostWaitingToReverse)
        {
            _toReverse.Enqueue(new Reversal(approval, reversalHandle));
        }
        else
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public Reversal? NextToReverse()
    {
        if (!_toReverse.TryDequeue(out var reversal))
        {
            return null;
        }

        Interlocked.Decrement(ref _waiting);
        return reversal;
    }
}
