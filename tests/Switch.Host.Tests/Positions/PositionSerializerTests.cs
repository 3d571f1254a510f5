using Akka.Actor;
using Switch.Host;
using Switch.Host.Actors;
using Switch.Positions;

namespace Switch.Host.Tests.Positions;

public sealed class PositionSerializerTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("serializer-test", SwitchActorSystem.Config(new SwitchOptions.ClusterSettings()));
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    public static TheoryData<object> Messages() => new()
    {
        new Reserve("100001", "SW0123456789ABCDEF0001", 1_234_567_890_123, new DateTimeOffset(2026, 11, 24, 3, 30, 15, 123, TimeSpan.Zero).AddTicks(4567)),
        new Reserve("بنك", "", 0, DateTimeOffset.MinValue),
        new Confirm("100002", "SW0123456789ABCDEF0002"),
        new Release("100002", "SW0123456789ABCDEF0003"),
        new Reservation("SW0123456789ABCDEF0004", ReserveOutcome.Granted),
        new Reservation("SW0123456789ABCDEF0005", ReserveOutcome.CapExceeded),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Position_messages_cross_nodes_in_their_own_format_unchanged(object message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<PositionSerializer>(serializer);

        var bytes = serializer.ToBinary(message);
        var manifest = ((PositionSerializer)serializer).Manifest(message);

        Assert.Equal(message, _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }
}
