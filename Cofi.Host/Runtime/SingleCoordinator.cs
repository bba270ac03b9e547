using Akka.Actor;
using Akka.Cluster;
using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;

namespace Cofi.Host.Runtime;

/// <summary>
/// A coordinator on SQLite keeps its journal in a file no other machine can share, so a second coordinator could
/// never take over its batches: the younger of two such coordinators refuses to serve.
/// </summary>
public static class SingleCoordinator
{
    public static async Task EnsureAsync(ActorSystem system, DatabaseSettings database)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task;
        var self = cluster.SelfMember;
        var other = cluster.State.Members.FirstOrDefault(m =>
            m.HasRole(NodeSettings.Coordinator) && !m.UniqueAddress.Equals(self.UniqueAddress) &&
            m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up && m.IsOlderThan(self));
        if (other is not null)
            throw new DatabaseBusyException(
                $"this cluster already has a coordinator at {other.Address}, and with SQLite ({database.SqliteFile}) only one coordinator is allowed: " +
                "give every coordinator the same MySQL / MariaDB database (--db or COFI_DB) to run a standby");
    }
}
