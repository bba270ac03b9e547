using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Configuration;
using Cofi.Actors.Progress;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Host.Web;

/// <summary>
/// Cluster members and the pipeline's stages. The embedded process (no cluster) is the only member and
/// runs its own simulated machines; in a cluster, members come from this node's view of the membership.
/// </summary>
public static class ClusterApi
{
    public sealed record Member(string Address, IReadOnlyList<string> Roles, string Status, bool Self);

    public sealed record PipelineStage(string Name, string Kind);

    public sealed record Pipeline(string Mode, IReadOnlyList<PipelineStage> Stages);

    public static RouteGroupBuilder MapClusterApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("cluster").RequireRole(Role.Viewer);
        group.MapGet("/cluster/members", (ActorSystem system) => TypedResults.Ok(Members(system))).WithName("ClusterMembers");
        group.MapGet("/pipeline", (CofiSettings settings) => TypedResults.Ok(new Pipeline(settings.Pipeline.Mode.ToString().ToLowerInvariant(),
            settings.Pipeline.Stages.Select(s => new PipelineStage(s.Name, s.Kind.ToString().ToLowerInvariant())).ToList()))).WithName("Pipeline");
        return group;
    }

    public static IReadOnlyList<Member> Members(ActorSystem system)
    {
        if (!IsCluster(system))
            return [new Member(((ExtendedActorSystem)system).Provider.DefaultAddress.ToString(), [NodeSettings.Coordinator, NodeSettings.Gpu], "up", true)];
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        return state.Members
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new Member(m.Address.ToString(), m.Roles.Order(StringComparer.Ordinal).ToList(),
                state.Unreachable.Contains(m) ? "unreachable" : m.Status.ToString().ToLowerInvariant(), m.Address == cluster.SelfAddress))
            .ToList();
    }

    public static bool IsCluster(ActorSystem system) => ((ExtendedActorSystem)system).Provider is Akka.Cluster.IClusterActorRefProvider;
}
