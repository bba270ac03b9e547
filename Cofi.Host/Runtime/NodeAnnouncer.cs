using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Gpu;

namespace Cofi.Host.Runtime;

/// <summary>
/// Prints what a cluster node does that its operator should see: a batch it starts running (including one it took
/// over from a coordinator that went away), a batch ending, a drain an operator asked for, and how a stop's hold ended.
/// </summary>
public sealed class NodeAnnouncer : ReceiveActor
{
    public NodeAnnouncer(string node, NodeLog log)
    {
        Receive<BatchSupervising>(m => log.Info($"node {node}: running batch {m.BatchId} ({m.Input})"));
        Receive<BatchFinished>(m => log.Info($"node {node}: batch {m.BatchId}: {m.Status.ToString().ToLowerInvariant()}" +
                                                       (m.Reason is null ? "" : $" ({m.Reason})")));
        Receive<GpuNodeIdentity>(m => log.Info($"node {node}: an operator asked for a drain; draining, then leaving the cluster"));
        Receive<BatchHolding>(m => log.Info($"node {node}: batch {m.BatchId}: no new work; waiting for {m.InFlight:N0} calls in flight"));
        Receive<BatchesHeld>(m => log.Info(m.GraceRanOut
            ? $"node {node}: the grace of {StopSignals.Describe(m.Grace)} ran out with {m.StillInFlight:N0} calls in flight; they are sent again when their batch resumes"
            : $"node {node}: {m.Batches} running batch(es) held: every call in flight came back and is recorded"));
    }

    public static Props Props(string node, NodeLog log) => Akka.Actor.Props.Create(() => new NodeAnnouncer(node, log));

    public static readonly Type[] Topics = [typeof(BatchSupervising), typeof(BatchFinished), typeof(GpuNodeIdentity), typeof(BatchHolding), typeof(BatchesHeld)];
}
