using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Switch.Positions;

namespace Switch.Host.Actors;

/// <summary>
/// The position messages every payment sends (reserve, its answer, confirm, release) as a few bytes each, for the
/// payments that cross to the node holding their bank's position actor. Akka's default for them is JSON with type
/// names, several times the bytes and the CPU; the other position messages are rare and keep it (bindings in
/// <see cref="SwitchActorSystem.Config"/>). Strings are UTF-8 with a length prefix, numbers little-endian.
/// </summary>
public sealed class PositionSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string ReserveManifest = "R";
    private const string ConfirmManifest = "C";
    private const string ReleaseManifest = "L";
    private const string ReservationManifest = "S";

    /// <summary>Akka's identifiers up to 100 are its own; this one must never change while nodes of two builds talk.</summary>
    public override int Identifier => 1101;

    /// <summary>The message types this serializer writes, for the configuration's bindings.</summary>
    public static readonly Type[] Messages = [typeof(Reserve), typeof(Confirm), typeof(Release), typeof(Reservation)];

    public override string Manifest(object o) => o switch
    {
        Reserve => ReserveManifest,
        Confirm => ConfirmManifest,
        Release => ReleaseManifest,
        Reservation => ReservationManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a position message this serializer writes", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream(64);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            switch (obj)
            {
                case Reserve r:
                    writer.Write(r.Bank);
                    writer.Write(r.Payment);
                    writer.Write(r.Amount);
                    writer.Write(r.Deadline.UtcTicks);
                    break;
                case Confirm c:
                    writer.Write(c.Bank);
                    writer.Write(c.Payment);
                    break;
                case Release l:
                    writer.Write(l.Bank);
                    writer.Write(l.Payment);
                    break;
                case Reservation s:
                    writer.Write(s.Payment);
                    writer.Write((int)s.Outcome);
                    break;
                default:
                    throw new ArgumentException($"{obj.GetType()} is not a position message this serializer writes", nameof(obj));
            }
        }

        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        return manifest switch
        {
            ReserveManifest => new Reserve(reader.ReadString(), reader.ReadString(), reader.ReadInt64(), new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero)),
            ConfirmManifest => new Confirm(reader.ReadString(), reader.ReadString()),
            ReleaseManifest => new Release(reader.ReadString(), reader.ReadString()),
            ReservationManifest => new Reservation(reader.ReadString(), (ReserveOutcome)reader.ReadInt32()),
            _ => throw new SerializationException($"Unknown position message manifest '{manifest}'"),
        };
    }
}
