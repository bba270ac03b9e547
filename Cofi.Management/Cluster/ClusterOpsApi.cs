using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Management;

/// <summary>
/// Cluster membership as this node sees it, and the operator's membership commands: join, leave, down,
/// down-unreachable. Leaving the node itself runs its coordinated shutdown, as SIGTERM does: a GPU node drains
/// first. A node outside any cluster (the single-node serve) shows itself and refuses the commands.
/// </summary>
public static class ClusterOpsApi
{
    public sealed record MemberView(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable, bool Self, bool Leader, bool Oldest);

    /// <param name="Singleton">the member where the coordinators' singleton (the BatchManager) runs: the oldest coordinator.</param>
    public sealed record ClusterView(string Self, string? Leader, string? Oldest, string? Singleton, IReadOnlyList<MemberView> Members);

    public sealed record LeaderView(string? Leader, string Self);

    /// <param name="Address">a member's address; for leave, null is the node itself.</param>
    public sealed record MemberRequest(string? Address = null, string? Reason = null, bool DryRun = false);

    public sealed record MemberChange(string Action, IReadOnlyList<string> Members);

    private static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>(OperatorRequest.Expected) { ["address"] = "a string" };

    public const string SingletonRole = "coordinator";

    public static IEndpointRouteBuilder MapClusterOpsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/cluster").WithTags("cluster").RequireRole(Role.Viewer);
        group.MapGet("/", (StartedActorSystem system) => TypedResults.Ok(View(Started(system)))).WithName("ClusterShow");
        group.MapGet("/leader", (StartedActorSystem system) =>
        {
            var view = View(Started(system));
            return TypedResults.Ok(new LeaderView(view.Leader, view.Self));
        }).WithName("ClusterLeader");
        group.MapPost("/join", (HttpRequest request, StartedActorSystem system, OperatorLog log) => ChangeAsync(request, system, log, "join")).WithName("ClusterJoin").RequireRole(Role.Operator);
        group.MapPost("/leave", (HttpRequest request, StartedActorSystem system, OperatorLog log) => ChangeAsync(request, system, log, "leave")).WithName("ClusterLeave").RequireRole(Role.Operator);
        group.MapPost("/down", (HttpRequest request, StartedActorSystem system, OperatorLog log) => ChangeAsync(request, system, log, "down")).WithName("ClusterDown").RequireRole(Role.Operator);
        group.MapPost("/down-unreachable", (HttpRequest request, StartedActorSystem system, OperatorLog log) => ChangeAsync(request, system, log, "down-unreachable"))
            .WithName("ClusterDownUnreachable").RequireRole(Role.Operator);
        group.MapGet("/events", ClusterEventStream.Stream).WithName("ClusterEvents");
        return routes;
    }

    public static bool IsCluster(ActorSystem system) => ((ExtendedActorSystem)system).Provider is IClusterActorRefProvider;

    private static ActorSystem Started(StartedActorSystem system) =>
        system.Get() ?? throw new InvalidOperationException("the actor system has not started");

    public static ClusterView View(ActorSystem system)
    {
        if (!IsCluster(system))
        {
            var self = ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString();
            return new ClusterView(self, self, self, self, [new MemberView(self, [], "up", true, true, true, true)]);
        }
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var up = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving).ToList();
        var oldest = up.OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
        var singleton = up.Where(m => m.HasRole(SingletonRole)).OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
        var members = state.Members.Union(state.Unreachable)
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new MemberView(m.Address.ToString(), m.Roles.Order(StringComparer.Ordinal).ToList(), m.Status.ToString().ToLowerInvariant(),
                !state.Unreachable.Contains(m), m.Address == cluster.SelfAddress, m.Address == state.Leader, m.Address == oldest?.Address))
            .ToList();
        return new ClusterView(cluster.SelfAddress.ToString(), state.Leader?.ToString(), oldest?.Address.ToString(), singleton?.Address.ToString(), members);
    }

    private static async Task<Results<Ok<MemberChange>, Ok<DryRunAnswer>, Accepted<MemberChange>, ProblemHttpResult>> ChangeAsync(
        HttpRequest http, StartedActorSystem started, OperatorLog log, string action)
    {
        var (request, refused) = await OperatorBody.ReadAsync(http, Expected, new MemberRequest());
        if (refused is not null) return refused;
        if (OperatorBody.ReasonProblem(request!.Reason) is { } badReason) return badReason;
        var system = Started(started);
        if (!IsCluster(system))
            return Problems.Conflict("this node is not in a cluster (a single-node serve): there is no membership to change");
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        Address? target = null;
        if (request.Address is { } given)
        {
            if (action == "join")
            {
                if (!TryParse(given, system, out var join)) return Problems.Fields("address", $"'{given}' is not an address such as akka.tcp://{system.Name}@HOST:PORT");
                target = join;
            }
            else if (Find(state, given) is { } member) target = member.Address;
            else return Problems.NotFound("member not found", $"no member at '{given}'; members are {string.Join(", ", state.Members.Select(m => m.Address))}");
        }
        else if (action is "join" or "down") return Problems.Fields("address", "required: the member's address");

        switch (action)
        {
            case "join":
                log.Mutation($"this node joins the cluster at {target}", request.Reason);
                cluster.Join(target!);
                return TypedResults.Ok(new MemberChange("join", [target!.ToString()]));
            case "leave" when target is null || target == cluster.SelfAddress:
                log.Mutation("this node leaves the cluster (its work drains first)", request.Reason);
                // As SIGTERM does: a GPU node finishes its calls in flight before it leaves, then the process exits.
                // Started a moment after this answer, which the shutdown would otherwise cut off.
                _ = Task.Run(async () =>
                {
                    await Task.Delay(200);
                    await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
                });
                return TypedResults.Accepted("/api/cluster", new MemberChange("leave", [cluster.SelfAddress.ToString()]));
            case "leave":
                log.Mutation($"member {target} leaves the cluster", request.Reason);
                cluster.Leave(target!);
                return TypedResults.Accepted("/api/cluster", new MemberChange("leave", [target!.ToString()]));
            case "down":
                if (request.DryRun)
                {
                    var member = Find(state, target!.ToString())!;
                    var reach = state.Unreachable.Contains(member) ? "unreachable" : "reachable";
                    return TypedResults.Ok(new DryRunAnswer($"member {target} ({string.Join(",", member.Roles)}, {member.Status.ToString().ToLowerInvariant()}, {reach}) is marked down and removed from the cluster", 1, true));
                }
                log.Mutation($"member {target} marked down", request.Reason);
                cluster.Down(target!);
                return TypedResults.Ok(new MemberChange("down", [target!.ToString()]));
            default:
                var unreachable = state.Unreachable.Select(m => m.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
                if (request.DryRun)
                    return TypedResults.Ok(new DryRunAnswer(unreachable.Count == 0
                        ? "no member is unreachable: nothing is marked down"
                        : $"{unreachable.Count} unreachable member(s) are marked down: {string.Join(", ", unreachable)}", unreachable.Count, unreachable.Count > 0));
                log.Mutation($"unreachable members marked down: {(unreachable.Count == 0 ? "none" : string.Join(", ", unreachable))}", request.Reason);
                foreach (var address in unreachable) cluster.Down(address);
                return TypedResults.Ok(new MemberChange("down", unreachable.Select(a => a.ToString()).ToList()));
        }
    }

    /// <summary>A member by its full address, or by HOST:PORT.</summary>
    private static Member? Find(ClusterEvent.CurrentClusterState state, string given)
    {
        var text = given.Trim().TrimEnd('/');
        return state.Members.Union(state.Unreachable).FirstOrDefault(m =>
            m.Address.ToString() == text || $"{m.Address.Host}:{m.Address.Port}" == text);
    }

    private static bool TryParse(string given, ActorSystem system, out Address address)
    {
        var text = given.Trim().TrimEnd('/');
        if (!text.Contains("://")) text = $"akka.tcp://{system.Name}@{text}";
        try
        {
            address = Address.Parse(text);
            return address.Host is not null && address.Port is not null;
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            address = Address.AllSystems;
            return false;
        }
    }
}
