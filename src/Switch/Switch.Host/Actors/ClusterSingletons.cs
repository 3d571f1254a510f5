using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Switch.Positions;
using Switch.Settlement.Cutoffs;
using Switch.Settlement.Windows;

namespace Switch.Host.Actors;

/// <summary>
/// The one place where whatever must run once per cluster is started, each as a cluster singleton: it runs on the
/// oldest node, and moves to the next oldest when that node leaves (handed over) or is downed (after the removal
/// margin), never on two nodes at once. The settlement window closer and the biller notifiers belong here too.
/// </summary>
public static class ClusterSingletons
{
    public const string CapWatcherName = "cap-watcher";

    public static void Start(ActorSystem system, IPositionSource positionSource, IActorRef positions, PositionSettings settings)
    {
        Singleton(system, CapWatcherName, CapWatcher.Props(positionSource, positions, settings));
    }

    public const string WindowCloserName = "settlement-window-closer";

    public static void StartWindowCloser(
        ActorSystem system, CutoffSchedule schedule, Func<CancellationToken, Task<IReadOnlyList<WindowClose>>> closeAll, TimeProvider time) =>
        Singleton(system, WindowCloserName, WindowCloser.Props(schedule, closeAll, time));

    private static void Singleton(ActorSystem system, string name, Props props) =>
        system.ActorOf(ClusterSingletonManager.Props(props, PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)), name);
}
