namespace Switch.Transactions;

/// <summary>What became of a journaled payment: approved (and still standing), reversed since, or declined.</summary>
public enum PaymentStatus { Approved, Reversed, Declined }

/// <summary>A journal entry with its status, for looking payments up (REST status and reversal).</summary>
public sealed record PaymentRecord(JournalEntry Entry, PaymentStatus Status);
