using Akka.Actor;
using Akka.Event;

namespace Switch.Positions;

/// <summary>
/// The single writer of one bank's position: it checks the net debit cap without database locks. On start it
/// rebuilds from the journal (piped back, never awaited in a handler) and stashes requests until then.
/// </summary>
public sealed class PositionActor : ReceiveActor, IWithUnboundedStash
{
    private readonly string _bank;
    private readonly IPositionSource _source;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Position _position;

    public PositionActor(string bank, IPositionSource source)
    {
        _bank = bank;
        _source = source;
        _position = Position.Empty(bank, 0);
        Loading();
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(string bank, IPositionSource source) => Akka.Actor.Props.Create(() => new PositionActor(bank, source));

    protected override void PreStart() =>
        _source.LoadAsync(_bank, CancellationToken.None).PipeTo(Self, success: loaded => new Loaded(loaded.Cap, loaded.Committed), failure: e => new LoadFailed(e));

    private void Loading()
    {
        Receive<Loaded>(OnLoaded);
        Receive<LoadFailed>(failed => throw new InvalidOperationException($"The position of bank {_bank} could not be rebuilt.", failed.Cause));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        Receive<Reserve>(OnReserve);
        Receive<Confirm>(confirm => _position = _position.Confirm(confirm.Payment));
        Receive<Release>(release => _position = _position.Release(release.Payment));
        Receive<ReverseCommitted>(reverse => _position = _position.Reverse(reverse.Amount));
        Receive<GetPosition>(_ => Sender.Tell(new PositionSnapshot(_bank, _position.Cap, _position.Committed, _position.Reserved)));
    }

    private void OnLoaded(Loaded loaded)
    {
        _position = _position.WithCap(loaded.Cap) with { Committed = loaded.Committed };
        _log.Info("Position of bank {0} rebuilt: committed {1} of cap {2}", _bank, loaded.Committed, loaded.Cap);
        Become(Ready);
        Stash.UnstashAll();
    }

    private void OnReserve(Reserve reserve)
    {
        (_position, var granted) = _position.Reserve(reserve.Payment, reserve.Amount);
        Sender.Tell(new Reservation(reserve.Payment, granted));
    }

    private sealed record Loaded(long Cap, long Committed);

    private sealed record LoadFailed(Exception Cause);
}
