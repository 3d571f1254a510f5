using Akka.Actor;
using Akka.Cluster;
using Switch.Adapters.Postgres;
using Switch.Positions;

namespace Switch.Host.Actors;

/// <summary>
/// The node's actor system and the regions the rest of the host talks to; started before the listeners. It is the
/// host's position service: the flow reserves through it, and operators change caps through it. It says whether the
/// node serves (an Up member, not stopping) and, when the actor system ends without the host asking (the resolver
/// downed this node, or a fatal error), stops the host with a non-zero exit code so its supervisor starts it again.
/// </summary>
public sealed class SwitchActors(
    SwitchOptions options, PostgresPositionSource positionSource, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<SwitchActors> logger,
    PostgresSettlementWindows windows, SettlementCutoffs cutoffs) : IPositions
{
    /// <summary>The process's exit code after its actor system ended on its own (EX_SOFTWARE).</summary>
    public const int ClusterLostExitCode = 70;

    /// <summary>How long a reservation waits before the cluster's reachability is looked at.</summary>
    private static readonly TimeSpan ReachCheck = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a reservation goes unanswered while a member leaves before it is asked again.</summary>
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(1);

    private readonly PositionReach _reach = new(time, TimeSpan.FromMilliseconds(250));
    private ActorSystem? _system;
    private IActorRef? _positions;
    private volatile bool _stopping;
    private volatile bool _leaving;
    private volatile bool _terminated;

    public ActorSystem System => _system ?? throw new InvalidOperationException("The actor system has not started.");

    /// <summary>The position shard region: one actor per bank, wherever in the cluster it lives.</summary>
    public IActorRef Positions => _positions ?? throw new InvalidOperationException("The actor system has not started.");

    /// <summary>How many nodes serve the cluster now (1 until the actor system has started).</summary>
    public int NodesUp() => _system is null ? 1 : ClusterNodes.Serving(_system);

    /// <summary>Whether the node takes work: an Up member of the cluster, neither stopping nor downed (readiness).</summary>
    public bool Serving => _system is { } system && !_stopping && !_terminated && Cluster.Get(system).SelfMember.Status == MemberStatus.Up;

    /// <summary>Non-zero once the actor system has ended without the host asking: what the process must exit with.</summary>
    public int ExitCode => _terminated && !_leaving ? ClusterLostExitCode : 0;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _system = await SwitchActorSystem.StartAsync(options.Cluster, TransportSecurity.ForCluster(options.Cluster.Tls, time), cancellationToken);
        _positions = PositionSharding.Start(_system, positionSource, options.Positions, time);
        ClusterSingletons.Start(_system, positionSource, _positions, options.Positions);
        if (cutoffs.Schedule is { } schedule)
        {
            ClusterSingletons.StartWindowCloser(_system, schedule, cancel => windows.CloseAllAsync(Settlement.Windows.ClosedBy.Cutoff, cancel), time);
        }
        // Whatever starts the coordinated shutdown (this host, the resolver downing the node), the node stops being ready first.
        CoordinatedShutdown.Get(_system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "readiness-down", () =>
        {
            _stopping = true;
            return Task.FromResult(Akka.Done.Instance);
        });
        _ = _system.WhenTerminated.ContinueWith(_ => OnTerminated(), TaskScheduler.Default);
    }

    /// <summary>Readiness goes down: the node finishes what it has but is no longer to be sent work.</summary>
    public void StopServing() => _stopping = true;

    /// <summary>
    /// Leaves the cluster by the coordinated shutdown: shards are handed to the other nodes, singletons move, then the
    /// actor system ends. Returns when it has, or after <paramref name="limit"/>.
    /// </summary>
    public async Task LeaveAsync(TimeSpan limit)
    {
        if (_system is null)
        {
            return;
        }

        _leaving = !_terminated;
        _stopping = true;
        try
        {
            await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Leaving the cluster took longer than {Limit}; the actor system is terminated as it is", limit);
            await _system.Terminate().WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    private void OnTerminated()
    {
        _terminated = true;
        if (_leaving)
        {
            return;
        }

        logger.LogCritical("The actor system ended without the host stopping (downed by the cluster, or a fatal error): the node stops, exit code {Code}",
            ClusterLostExitCode);
        lifetime.StopApplication();
        // Should stopping hang, the supervisor must still see the process end.
        _ = Task.Delay(TimeSpan.FromSeconds(60), time).ContinueWith(_ => Environment.Exit(ClusterLostExitCode), TaskScheduler.Default);
    }

    /// <summary>
    /// Asks the bank's position actor for a reservation. While the actor cannot be reached (its node unreachable, its
    /// shard moving after the node was downed) the bank hears 91 at once (<see cref="PositionUnavailableException"/>)
    /// rather than at the deadline; an unanswered request is given up on once it has waited <see cref="ReachCheck"/>
    /// while a member is unreachable, and its reservation released should it arrive later.
    /// </summary>
    public async Task<bool> ReserveAsync(string bank, string reservation, long amount, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var wait = deadline - time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            throw new TimeoutException($"The reservation of payment {reservation} was asked for after its deadline.");
        }

        if (_terminated || _reach.IsAway(bank))
        {
            Probe(bank);
            throw new PositionUnavailableException(bank);
        }

        var reserve = new Reserve(bank, reservation, amount, deadline);
        var asking = Positions.Ask<Reservation>(reserve, wait, cancellationToken);
        var askedAt = time.GetUtcNow();
        while (!asking.IsCompleted)
        {
            using var slice = new CancellationTokenSource();
            if (await Task.WhenAny(asking, Task.Delay(ReachCheck, time, slice.Token)) == asking)
            {
                await slice.CancelAsync();
                break;
            }

            // A shard handed over while a node leaves can drop what was on its way to the old home: asked again, the
            // position answers from wherever it lives now. A reservation is keyed by its payment, so a second ask that
            // reaches the same actor is granted the same reservation, not another.
            if (time.GetUtcNow() - askedAt >= ResendAfter && SomeMemberLeaving() && deadline - time.GetUtcNow() is { Ticks: > 0 } left)
            {
                asking = FirstAnswerAsync(asking, Positions.Ask<Reservation>(reserve, left, cancellationToken));
                askedAt = time.GetUtcNow();
            }

            if (_terminated || SomeMemberLost())
            {
                if (_reach.MarkAway(bank))
                {
                    logger.LogWarning("The position of bank {Bank} cannot be reached ({Unreachable} unreachable): its requests are answered 91 until it answers",
                        bank, string.Join(", ", Cluster.Get(System).State.Unreachable.Select(m => m.Address)));
                }

                Positions.Tell(new Release(bank, reservation));
                throw new PositionUnavailableException(bank);
            }
        }

        Reservation answer;
        try
        {
            answer = await asking;
        }
        catch (AskTimeoutException)
        {
            throw new TimeoutException($"The reservation of payment {reservation} was not answered by its deadline.");
        }

        return answer.Outcome == ReserveOutcome.TooLate
            ? throw new TimeoutException($"The reservation of payment {reservation} was not decided by its deadline.")
            : answer.Granted;
    }

    /// <summary>Whether a member is leaving the cluster now, its shards and singletons being handed over.</summary>
    private bool SomeMemberLeaving() =>
        Cluster.Get(System).State.Members.Any(m => m.Status is MemberStatus.Leaving or MemberStatus.Exiting);

    /// <summary>The first answer of two asks of one reservation; a failure only when both fail.</summary>
    private static async Task<Reservation> FirstAnswerAsync(Task<Reservation> first, Task<Reservation> second)
    {
        var done = await Task.WhenAny(first, second);
        if (done.IsCompletedSuccessfully)
        {
            return done.Result;
        }

        _ = done.Exception;
        return await (done == first ? second : first);
    }

    /// <summary>
    /// Whether a member that may hold shards is unreachable: one leaving or exiting has handed its shards over already
    /// (a node stopping gracefully can look unreachable for a moment as its process ends).
    /// </summary>
    private bool SomeMemberLost() =>
        Cluster.Get(System).State.Unreachable.Any(m => m.Status is not (MemberStatus.Leaving or MemberStatus.Exiting));

    /// <summary>Asks an away bank's position whether it is back (at most once per probe interval); an answer lets its requests through again.</summary>
    private void Probe(string bank)
    {
        if (_terminated || !_reach.ProbeDue(bank))
        {
            return;
        }

        Positions.Ask<PositionSnapshot>(new GetPosition(bank), TimeSpan.FromSeconds(2))
            .ContinueWith(answered =>
            {
                if (_reach.Reached(bank))
                {
                    logger.LogWarning("The position of bank {Bank} answers again: its requests go through", bank);
                }
            }, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    public void Confirm(string bank, string reservation) => Positions.Tell(new Confirm(bank, reservation));

    public void Release(string bank, string reservation) => Positions.Tell(new Release(bank, reservation));

    public void Reverse(string bank, long amount) => Positions.Tell(new ReverseCommitted(bank, amount));

    /// <summary>
    /// Sets a bank's net debit cap and returns once the bank's position actor enforces it (false: no such bank).
    /// For an operator endpoint: the caller authorises, and names itself for the audit record written with the change; a TimeoutException means the cap is written but
    /// the actor has not confirmed it in time (it will apply it at the next cap refresh).
    /// </summary>
    public async Task<bool> SetCapAsync(string bank, long cap, AuditActor who, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cap);
        if (!await positionSource.SetCapAsync(bank, cap, who, cancellationToken))
        {
            return false;
        }

        await Positions.Ask<CapApplied>(new RefreshCap(bank), wait, cancellationToken);
        return true;
    }
}
