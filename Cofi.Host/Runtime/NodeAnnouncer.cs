using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Gpu;

namespace Cofi.Host.Runtime;

/// <summary>
/// Prints what a cluster node does that its operator should see: a batch it starts running (including one it took
/// over from a coordinator that went away), a batch ending, and a drain an operator asked for.
/// </summary>
public sealed class NodeAnnouncer : ReceiveActor
{
    public NodeAnnouncer(string node, NodeLog log)
    {
        Receive<BatchSupervising>(m => log.Info($"node {node}: running batch {m.BatchId} ({m.Input})"));
        Receive<BatchFinished>(m => log.Info($"node {node}: batch {m.BatchId}: {m.Status.ToString().ToLowerInvariant()}" +
                                                       (m.Reason is null ? "" : $" ({m.Reason})")));
        Receive<GpuNodeIdentity>(m => log.Info($"node {node}: an operator asked for a drain; draining, then leaving the cluster"));
    }

    public static Props Props(string node, NodeLog log) => Akka.Actor.Props.Create(() => new NodeAnnouncer(node, log));

    public static readonly Type[] Topics = [typeof(BatchSupervising), typeof(BatchFinished), typeof(GpuNodeIdentity)];
}
