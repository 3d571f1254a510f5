using System.Text;
using Switch.Adapters.Iso8583;

namespace Switch.Adapters.Tests.Iso8583;

/// <summary>Messages with random fields whose values respect each field's spec in a profile.</summary>
public static class RandomMessages
{
    private const string Digits = "0123456789";
    private const string Alphanumeric = Digits + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ";
    private const string Printable = Alphanumeric + "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static IsoMessage Create(MessageProfile profile, int seed)
    {
        var random = new Random(seed);
        var message = new IsoMessage(random.Next(0, 10_000).ToString("D4"));
        var candidates = profile.Fields.Where(f => f.Number >= 2).ToArray();
        foreach (var spec in random.GetItems(candidates, random.Next(1, 24)).DistinctBy(f => f.Number))
        {
            if (spec.Type == FieldType.B)
            {
                message.Set(spec.Number, random.GetItems(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), Length(spec, random)));
            }
            else
            {
                message.Set(spec.Number, Text(spec, random));
            }
        }

        return message;
    }

    private static int Length(FieldSpec spec, Random random) =>
        spec.LengthKind == LengthKind.Fixed ? spec.MaxLength : random.Next(0, Math.Min(spec.MaxLength, 120) + 1);

    private static string Text(FieldSpec spec, Random random)
    {
        if (spec.IsTlv)
        {
            var elements = Enumerable.Range(0, random.Next(0, 6))
                .Select(_ => new KeyValuePair<string, string>(new string(random.GetItems("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".ToCharArray(), 2)), Chars(Printable, random.Next(0, 40), random)));
            return Field48.Build(elements);
        }

        var length = Length(spec, random);
        return spec.Type switch
        {
            FieldType.N => Chars(Digits, length, random),
            FieldType.An => Chars(Alphanumeric, length, random),
            FieldType.Z => Chars(spec.Encoding == DataEncoding.Bcd ? Digits + "=" : Digits + "=D", length, random),
            _ => Chars(Printable, length, random),
        };
    }

    private static string Chars(string alphabet, int length, Random random) => new(random.GetItems(alphabet.ToCharArray(), length));
}
