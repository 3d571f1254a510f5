namespace Switch.Participants;

/// <summary>The kinds of principal the switch knows; each API route admits one.</summary>
public enum PrincipalRole
{
    Bank,
    Biller,
    Operator,
    CentralBank,
}

/// <summary>
/// Who an active API key speaks for: its role, its holder (as the audit trail names them) and its participant (a
/// bank's or biller's code; none for the operator and the central bank). <paramref name="Bank"/> is the bank itself
/// for a bank's key.
/// </summary>
public sealed record ApiCredential(long KeyId, PrincipalRole Role, string Holder, string? Participant, Bank? Bank);
