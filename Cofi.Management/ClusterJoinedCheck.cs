using Akka.Actor;
using Akka.Cluster;

namespace Cofi.Management;

/// <summary>Ready once this node's own member status is Up (or WeaklyUp); joining, leaving and removed are not.</summary>
public sealed class ClusterJoinedCheck(StartedActorSystem system) : IReadinessCheck
{
    public string Name => "cluster-joined";

    public Task<string?> ProblemAsync(CancellationToken cancellationToken) => Task.FromResult(Problem());

    private string? Problem()
    {
        if (system.Get() is not { } actorSystem) return "the actor system has not started";
        // A process outside any cluster (Cofi's embedded one) has no membership to wait for.
        if (((ExtendedActorSystem)actorSystem).Provider is not IClusterActorRefProvider) return null;
        var cluster = Cluster.Get(actorSystem);
        if (cluster.IsTerminated) return "this node has left the cluster";
        // Before it joins, SelfMember says Removed: an operator should read that it has not joined.
        var self = cluster.State.Members.FirstOrDefault(m => m.UniqueAddress.Equals(cluster.SelfUniqueAddress));
        if (self is null) return "this node has not joined a cluster";
        return self.Status is MemberStatus.Up or MemberStatus.WeaklyUp
            ? null
            : $"this node is {self.Status.ToString().ToLowerInvariant()} in the cluster, not up";
    }
}
