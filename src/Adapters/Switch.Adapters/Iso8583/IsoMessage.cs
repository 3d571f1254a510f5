namespace Switch.Adapters.Iso8583;

/// <summary>
/// A message being built or kept: the MTI and field values it owns. Text fields hold strings (digits for n,
/// characters for an/ans/z); binary fields hold bytes (a string given for a binary field is read as hex).
/// The bitmap is kept as fields are set, so packing never scans all 128 slots.
/// </summary>
public sealed class IsoMessage
{
    private readonly object?[] _values = new object?[129];
    private ulong _primary;
    private ulong _secondary;

    public IsoMessage(string mti) => Mti = mti;

    public string Mti { get; set; }

    public bool Has(int field) => (uint)field <= 128 && _values[field] is not null;

    public IsoMessage Set(int field, string value) => Put(field, value);

    public IsoMessage Set(int field, byte[] value) => Put(field, value);

    public IsoMessage Remove(int field) => Put(field, null);

    /// <summary>The value as text: binary values as upper-case hex.</summary>
    public string? GetString(int field) => Get(field) switch
    {
        string s => s,
        byte[] b => Convert.ToHexString(b),
        _ => null,
    };

    /// <summary>Field numbers present, ascending (field 1, the secondary bitmap, is implied and not listed).</summary>
    public IEnumerable<int> Fields
    {
        get
        {
            for (var number = 2; number <= 128; number++)
            {
                if (_values[number] is not null)
                {
                    yield return number;
                }
            }
        }
    }

    internal object? Get(int field) => (uint)field <= 128 ? _values[field] : null;

    internal ulong PrimaryBitmap => _secondary != 0 ? _primary | 1UL << 63 : _primary;

    internal ulong SecondaryBitmap => _secondary;

    private IsoMessage Put(int field, object? value)
    {
        if (field is < 2 or > 128)
        {
            throw new ArgumentOutOfRangeException(nameof(field), field, "Fields 2 to 128 can be set; field 1 (the secondary bitmap) follows from them.");
        }

        _values[field] = value;
        var bit = 1UL << (63 - ((field - 1) % 64));
        ref var bitmap = ref field <= 64 ? ref _primary : ref _secondary;
        bitmap = value is null ? bitmap & ~bit : bitmap | bit;
        return this;
    }
}
