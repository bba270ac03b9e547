using Akka.Actor;
using Akka.Cluster;

namespace Cofi.Management.Audit;

/// <summary>
/// The audit trail of a node without a read model (a GPU node, the Lighthouse): each entry is a line in the node's own
/// log and, in a cluster, is sent to the <see cref="AuditInbox"/> of the oldest coordinator that is Up, which records
/// it in the <c>audit_log</c> table. With no coordinator up the line in the log is what is kept.
/// </summary>
public sealed class ClusterAuditTrail(LogAuditTrail log, StartedActorSystem started) : IAuditTrail
{
    /// <summary>The role of the members that keep the read model (Cofi.Host's coordinator role).</summary>
    public const string CoordinatorRole = "coordinator";

    public async Task RecordAsync(AuditEntry entry, CancellationToken cancel)
    {
        await log.RecordAsync(entry, cancel);
        if (started.Get() is not { } system || !system.Settings.HasCluster) return;
        var cluster = Cluster.Get(system);
        var coordinator = cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(CoordinatorRole))
            .OrderBy(m => m, Member.AgeOrdering)
            .FirstOrDefault();
        if (coordinator is null) return;
        var self = cluster.SelfAddress;
        system.ActorSelection(new RootActorPath(coordinator.Address) / "user" / AuditInbox.Name)
            .Tell(new ForwardedAudit($"{self.Host}:{self.Port}", entry), ActorRefs.NoSender);
    }
}
