using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Management;

/// <summary>
/// <c>GET /api/commands</c>: the palettes this node offers (every node the cluster, node and actor palettes; a
/// coordinator batch, gpu and file too); <c>GET /api/completions/{kind}</c>: values for a client's tab completion.
/// </summary>
public static class CommandsApi
{
    public static IEndpointRouteBuilder MapCommandsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("commands").RequireRole(Role.Viewer);
        group.MapGet("/commands", (IEnumerable<CommandPalette> palettes, StartedActorSystem system) =>
        {
            var (node, roles) = Identity(system);
            return TypedResults.Ok(new CommandCatalog(node, roles, palettes.ToList()));
        }).WithName("Commands");
        group.MapGet("/completions/{kind}", async Task<Results<Ok<IReadOnlyList<string>>, ProblemHttpResult>> (string kind, IEnumerable<ICompletionSource> sources, CancellationToken cancel) =>
        {
            var source = sources.FirstOrDefault(s => s.Kind == kind);
            if (source is null)
                return Problems.NotFound("no such completion", $"this node completes {string.Join(", ", sources.Select(s => s.Kind).Order())}, not '{kind}'");
            return TypedResults.Ok(await source.ValuesAsync(cancel));
        }).WithName("Completions");
        return routes;
    }

    private static (string Node, IReadOnlyList<string> Roles) Identity(StartedActorSystem started)
    {
        if (started.Get() is not { } system) return ("starting", []);
        if (ClusterOpsApi.IsCluster(system))
        {
            var cluster = Cluster.Get(system);
            return (cluster.SelfAddress.ToString(), cluster.SelfRoles.Order(StringComparer.Ordinal).ToList());
        }
        return (((Akka.Actor.ExtendedActorSystem)system).Provider.DefaultAddress.ToString(), []);
    }
}
