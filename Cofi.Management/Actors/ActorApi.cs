using Akka.Actor;
using Akka.Actor.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Management;

/// <summary>The node's actor system, and its actor tree under a path (as pbm's <c>actor</c> palette shows them).</summary>
public static class ActorApi
{
    public sealed record SystemView(string Name, string Address, string Provider, DateTimeOffset StartedAt, double UptimeSeconds, string AkkaVersion, int UserActors);

    /// <param name="Type">the actor's class, when it runs in this process (a child deployed on another node shows none).</param>
    public sealed record ActorNode(string Path, string Name, int Depth, string? Type, int Children);

    public const int MaxDepth = 20;
    public const int MaxActors = 5_000;

    public static IEndpointRouteBuilder MapActorApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/actors").WithTags("actors").RequireRole(Role.Viewer);
        group.MapGet("/system", (StartedActorSystem started) =>
        {
            var system = (ExtendedActorSystem)(started.Get() ?? throw new InvalidOperationException("the actor system has not started"));
            var startedAt = DateTimeOffset.UnixEpoch + system.StartTime;
            return TypedResults.Ok(new SystemView(system.Name, system.Provider.DefaultAddress.ToString(), system.Provider.GetType().Name,
                startedAt, system.Uptime.TotalSeconds, typeof(ActorSystem).Assembly.GetName().Version?.ToString() ?? "unknown",
                Children(system.Guardian).Count));
        }).WithName("ActorSystem");
        group.MapGet("/hierarchy", Results<Ok<IReadOnlyList<ActorNode>>, ProblemHttpResult> (StartedActorSystem started, int? depth, string? path) =>
        {
            var system = (ExtendedActorSystem)(started.Get() ?? throw new InvalidOperationException("the actor system has not started"));
            if (depth is < 0 or > MaxDepth) return Problems.Fields("depth", $"must be from 0 to {MaxDepth}");
            var start = Resolve(system, path ?? "/user");
            if (start is null) return Problems.NotFound("actor not found", $"no actor at '{path}' (paths look like /user/batch-manager)");
            var nodes = new List<ActorNode>();
            Walk(start, 0, depth ?? 3, nodes);
            return TypedResults.Ok<IReadOnlyList<ActorNode>>(nodes);
        }).WithName("ActorHierarchy");
        return routes;
    }

    private static IActorRef? Resolve(ExtendedActorSystem system, string path)
    {
        IActorRef current = system.Provider.RootGuardian;
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not ActorRefWithCell cell) return null;
            var child = cell.GetSingleChild(name);
            if (child is null || child.IsNobody()) return null;
            current = child;
        }
        return current;
    }

    private static void Walk(IActorRef actor, int depth, int maxDepth, List<ActorNode> into)
    {
        if (into.Count >= MaxActors) return;
        var children = Children(actor);
        var type = actor is ActorRefWithCell { Underlying: ActorCell cell } ? cell.Props.Type?.Name : null;
        into.Add(new ActorNode(actor.Path.ToStringWithoutAddress(), actor.Path.Name, depth, type, children.Count));
        if (depth >= maxDepth) return;
        foreach (var child in children) Walk(child, depth + 1, maxDepth, into);
    }

    private static IReadOnlyList<IActorRef> Children(IActorRef actor) =>
        actor is ActorRefWithCell cell ? cell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal).ToList() : [];
}
