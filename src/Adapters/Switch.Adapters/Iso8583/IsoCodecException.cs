namespace Switch.Adapters.Iso8583;

/// <summary>
/// The only error the codec raises for bad input. It names the field (null for the MTI, bitmap or frame)
/// and the byte offset in the message where reading or writing stopped.
/// </summary>
public sealed class IsoCodecException : Exception
{
    public IsoCodecException(int? field, int offset, string reason)
        : base(Describe(field, offset, reason))
    {
        Field = field;
        Offset = offset;
        Reason = reason;
    }

    public int? Field { get; }

    public int Offset { get; }

    public string Reason { get; }

    private static string Describe(int? field, int offset, string reason) =>
        field is { } f ? $"field {f} at offset {offset}: {reason}" : $"at offset {offset}: {reason}";
}
