namespace Switch.LoadGen;

/// <summary>What a simulated bank asks for; the edge (ISO 8583 or REST) is chosen when it is sent.</summary>
public enum Kind { Inquiry, Payment, Reversal }

public enum Edge { Iso, Rest }

public abstract record Operation(Kind Kind, string Bank);

public sealed record Inquiry(string Bank, string Biller, string Account, string Channel) : Operation(Kind.Inquiry, Bank);

public sealed record Payment(string Bank, string Biller, string Account, long Amount, string Channel) : Operation(Kind.Payment, Bank);

/// <summary>Reverses an approval this run received.</summary>
public sealed record Reversal(Approval Original, object Handle) : Operation(Kind.Reversal, Original.Bank);

/// <summary>How a request ended: the scheme's response code, or "none" when no answer came.</summary>
public sealed record Outcome(string Code)
{
    public const string NoAnswer = "none";

    public bool Approved => Code == "00";
}
