using System.Collections.Concurrent;

namespace Switch.LoadGen;

/// <summary>
/// An approved payment as the load generator heard it, with what it takes to reverse it: the original ISO 8583
/// request (0420 repeats its fields) or the REST paymentId.
/// </summary>
public sealed class Approval(string bank, string reference, string localDate, string biller, long amount, Edge edge, object reversalHandle)
{
    public string Bank => bank;

    public string Reference => reference;

    public string LocalDate => localDate;

    public string Biller => biller;

    public long Amount => amount;

    public Edge Edge => edge;

    public object ReversalHandle => reversalHandle;

    /// <summary>A reversal of it was answered 00.</summary>
    public bool Reversed { get; set; }

    /// <summary>A reversal was sent but not answered: the journal may say either.</summary>
    public bool ReversalUnknown { get; set; }

    public JournalKey Key => new(bank, reference, localDate);
}

/// <summary>A payment's key in the journal: bank, reference (field 37 or the Idempotency-Key) and local date ('' for REST).</summary>
public readonly record struct JournalKey(string Bank, string Reference, string LocalDate);

/// <summary>Everything the run was told that the journal check needs, and the approvals still waiting to be reversed.</summary>
public sealed class Ledger
{
    private readonly ConcurrentQueue<Approval> _reversible = new();

    public ConcurrentDictionary<JournalKey, Approval> Approvals { get; } = new();

    /// <summary>Payments sent without an answer: the journal may hold them approved.</summary>
    public ConcurrentDictionary<JournalKey, byte> Unanswered { get; } = new();

    public void Approved(Approval approval)
    {
        Approvals[approval.Key] = approval;
        _reversible.Enqueue(approval);
    }

    public Approval? NextToReverse() => _reversible.TryDequeue(out var approval) ? approval : null;
}
