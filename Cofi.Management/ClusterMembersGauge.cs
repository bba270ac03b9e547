using System.Diagnostics.Metrics;
using Akka.Cluster;

namespace Cofi.Management;

/// <summary>
/// The meter <c>Cofi.Cluster</c> with one gauge, <c>cofi.cluster.members</c> (unit <c>{member}</c>), exported to
/// Prometheus as <c>cofi_cluster_members{role="…",status="…"}</c>: how many members this node sees, per role and
/// status. The status is the member status in lower case (joining, up, leaving, exiting, …), or <c>unreachable</c>
/// for a member this node cannot reach, whatever its status. A member counts once under each of its roles (one
/// without roles under <c>none</c>), so the labels are bounded by roles × statuses, never by addresses. Nothing is
/// observed before the host has started.
/// </summary>
public sealed class ClusterMembersGauge
{
    public const string MeterName = "Cofi.Cluster";
    public const string InstrumentName = "cofi.cluster.members";

    /// <param name="meters">Owns the meter: it is disposed with the host's services.</param>
    public ClusterMembersGauge(IMeterFactory meters, StartedActorSystem system)
    {
        meters.Create(MeterName).CreateObservableGauge(InstrumentName, () => Observe(system), unit: "{member}",
            description: "Cluster members this node sees, per role and status (unreachable members under status 'unreachable').");
    }

    private static IEnumerable<Measurement<int>> Observe(StartedActorSystem system)
    {
        if (system.Get() is not { } actorSystem) return [];
        // A process outside any cluster (Cofi's embedded one) has no members to count.
        if (((Akka.Actor.ExtendedActorSystem)actorSystem).Provider is not IClusterActorRefProvider) return [];
        var state = Cluster.Get(actorSystem).State;
        string StatusOf(Member member) =>
            state.Unreachable.Contains(member) ? "unreachable" : member.Status.ToString().ToLowerInvariant();
        return state.Members.Union(state.Unreachable)
            .SelectMany(m => (m.Roles.IsEmpty ? ["none"] : m.Roles.ToArray()).Select(role => (Role: role, Status: StatusOf(m))))
            .CountBy(row => row)
            .Select(c => new Measurement<int>(c.Value, new("role", c.Key.Role), new("status", c.Key.Status)))
            .ToList();
    }
}
