using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Metrics;
using Cofi.Actors.Operations;
using Cofi.Actors.Progress;
using Cofi.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Host.Web;

/// <summary>
/// GPU machines and nodes: the list (machine, node, slots busy and total per stage, files per minute, errors,
/// breaker), adding and removing a machine that is only an HTTP endpoint, and draining a GPU node by name.
/// </summary>
public static class MachineApi
{
    /// <summary>A GPU machine: the node it runs on (<c>coordinator</c> for the coordinator's own), slots, work done, its breaker.</summary>
    public sealed record Machine(string Name, string Node, int Slots, int SlotsBusy, IReadOnlyDictionary<string, int> BusyByStage,
        IReadOnlyDictionary<string, int> SlotsByStage, double FilesPerMinute, long FilesDone, long Errors, string Breaker);

    public sealed record MachineRequest(string? Host = null, string? Reason = null, bool DryRun = false);

    /// <param name="WaitMs">how long to wait for the node to finish its work and leave; 0 answers once it is draining.</param>
    public sealed record DrainRequest(long? WaitMs = null, string? Reason = null);

    /// <param name="Left">the node finished its work and the cluster removed it (within the wait).</param>
    public sealed record DrainAnswer(string Node, string Address, bool Left);

    public sealed record MachineChange(string Machine, int RunningBatches);

    private static readonly IReadOnlyDictionary<string, string> MachineFields = new Dictionary<string, string>(OperatorRequest.Expected) { ["host"] = "a string" };

    private static readonly IReadOnlyDictionary<string, string> DrainFields = new Dictionary<string, string>(OperatorRequest.Expected) { ["waitMs"] = "a whole number of milliseconds" };

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapMachineApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("gpu").RequireRole(Role.Viewer);
        group.MapGet("/machines", MachinesAsync).WithName("GpuMachines");
        group.MapPost("/machines", AddAsync).WithName("AddGpuMachine").RequireRole(Role.Operator);
        group.MapPost("/machines/{host}/remove", RemoveAsync).WithName("RemoveGpuMachine").RequireRole(Role.Operator);
        group.MapPost("/gpu-nodes/{node}/drain", DrainAsync).WithName("DrainGpuNode").RequireRole(Role.Operator);
        return group;
    }

    public static async Task<Ok<IReadOnlyList<Machine>>> MachinesAsync(CofiSettings settings, ActorSystem system, IRequiredActor<ProgressBroadcaster> broadcaster,
        CancellationToken cancel)
    {
        var loads = (await broadcaster.ActorRef.Ask<MachineLoadList>(ProgressQueries.GetMachines.Instance, TimeSpan.FromSeconds(10), cancel))
            .Machines.ToDictionary(m => m.Machine);
        var nodes = await GpuNodes.DescribeAsync(system, cancel);
        var remote = nodes.SelectMany(n => n.Machines.Select(m => (n.Node, Info: m))).ToDictionary(m => m.Info.Machine);
        var own = ((ExtendedActorSystem)system).Provider is Akka.Cluster.IClusterActorRefProvider ? [] : Actors.Hosting.CofiHosting.Machines(settings);
        var names = own.Concat(remote.Keys).Concat(loads.Keys).Distinct().Order(StringComparer.Ordinal);
        var metrics = CofiMetrics.Get(system);
        return TypedResults.Ok<IReadOnlyList<Machine>>(names.Select(name =>
        {
            var (node, info) = remote.TryGetValue(name, out var r) ? (r.Node, r.Info) : ("coordinator", metrics.Machine(name, settings.Pipeline));
            var load = loads.GetValueOrDefault(name);
            var busy = load?.BusyByStage ?? info.BusyByStage.Where(b => b.Value > 0).ToDictionary();
            return new Machine(name, node, info.SlotsByStage.Values.Sum(), busy.Values.Sum(), busy, info.SlotsByStage,
                load?.FilesPerMinute ?? 0, load?.FilesDone ?? 0, load?.Errors ?? 0, info.Breaker);
        }).ToList());
    }

    private static async Task<Results<Ok<MachineChange>, ProblemHttpResult>> AddAsync(HttpRequest request, IRequiredActor<BatchManager> manager, OperatorLog log)
    {
        var (body, refused) = await OperatorBody.ReadAsync(request, MachineFields, new MachineRequest());
        if (refused is not null) return refused;
        if (OperatorBody.ReasonProblem(body!.Reason) is { } badReason) return badReason;
        if (string.IsNullOrWhiteSpace(body.Host)) return Problems.Fields("host", "required: the machine's host name or address");
        var reply = await manager.ActorRef.Ask<object>(new BatchCommands.AddMachine(body.Host), AskTimeout);
        switch (reply)
        {
            case BatchReplies.MachineAccepted accepted:
                log.Mutation($"GPU machine {accepted.Machine} added; {accepted.RunningBatches} running batch(es) send it work", body.Reason);
                return TypedResults.Ok(new MachineChange(accepted.Machine, accepted.RunningBatches));
            case BatchReplies.MachineRejected rejected:
                return Problems.Conflict($"GPU machine {rejected.Machine} not added: {rejected.Reason}");
            default:
                throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}");
        }
    }

    private static async Task<Results<Ok<MachineChange>, Ok<DryRunAnswer>, ProblemHttpResult>> RemoveAsync(string host, HttpRequest request,
        IRequiredActor<BatchManager> manager, ActorSystem system, OperatorLog log, CancellationToken cancel)
    {
        var (body, refused) = await OperatorBody.ReadRequestAsync(request);
        if (refused is not null) return refused;
        var onNode = (await GpuNodes.DescribeAsync(system, cancel)).FirstOrDefault(n => n.Machines.Any(m => string.Equals(m.Machine, host, StringComparison.OrdinalIgnoreCase)));
        if (onNode is not null)
            return Problems.Conflict($"GPU machine {host} belongs to GPU node {onNode.Node}: drain the node instead (gpu drain {onNode.Node})");
        var running = (await manager.ActorRef.Ask<BatchReplies.List>(BatchQueries.GetBatches.Instance, AskTimeout, cancel)).Batches.Count(b => b.Status is BatchStatus.Running or BatchStatus.Paused);
        if (body!.DryRun)
            return TypedResults.Ok(new DryRunAnswer($"GPU machine {host} takes no more work; its calls in flight in {running} running batch(es) go back to the queue", running, true));
        var reply = await manager.ActorRef.Ask<object>(new BatchCommands.RemoveMachine(host), AskTimeout, cancel);
        switch (reply)
        {
            case BatchReplies.MachineWithdrawn withdrawn:
                log.Mutation($"GPU machine {withdrawn.Machine} removed from {withdrawn.RunningBatches} running batch(es)", body.Reason);
                return TypedResults.Ok(new MachineChange(withdrawn.Machine, withdrawn.RunningBatches));
            case BatchReplies.MachineRejected rejected:
                return Problems.NotFound("machine not found", $"GPU machine {rejected.Machine}: {rejected.Reason}");
            default:
                throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}");
        }
    }

    /// <summary>The GPU node of that name takes no new work, finishes what it has, then leaves the cluster.</summary>
    private static async Task<Results<Ok<DrainAnswer>, Accepted<DrainAnswer>, ProblemHttpResult>> DrainAsync(string node, HttpRequest request,
        ActorSystem system, OperatorLog log, CancellationToken cancel)
    {
        var (body, refused) = await OperatorBody.ReadAsync(request, DrainFields, new DrainRequest());
        if (refused is not null) return refused;
        if (OperatorBody.ReasonProblem(body!.Reason) is { } badReason) return badReason;
        if (body.WaitMs is < 0) return Problems.Fields("waitMs", "must be 0 or more");
        if (((ExtendedActorSystem)system).Provider is not Akka.Cluster.IClusterActorRefProvider)
            return Problems.Conflict("this coordinator is not in a cluster (a single-node serve): it has no GPU node to drain");
        var started = new TaskCompletionSource<DrainStarted>(TaskCreationOptions.RunContinuationsAsynchronously);
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var drain = system.ActorOf(NodeDrain.Props(node, started, left, TimeSpan.FromSeconds(10)));
        var answer = await started.Task.WaitAsync(cancel);
        if (answer.Address is null)
            return Problems.NotFound("GPU node not found", answer.Known.Count == 0
                ? $"no GPU node named '{node}': the cluster has no GPU node up"
                : $"no GPU node named '{node}'; GPU nodes up: {string.Join(", ", answer.Known)}");
        log.Mutation($"GPU node {node} ({answer.Address}) drains, then leaves the cluster", body.Reason);
        var wait = TimeSpan.FromMilliseconds(body.WaitMs ?? 0);
        var gone = wait > TimeSpan.Zero && await Task.WhenAny(left.Task, Task.Delay(wait, cancel)) == left.Task && left.Task.IsCompletedSuccessfully;
        // The node drains and leaves whether or not anyone waits for it.
        if (!gone) system.Stop(drain);
        return gone ? TypedResults.Ok(new DrainAnswer(node, answer.Address, true)) : TypedResults.Accepted("/api/cluster", new DrainAnswer(node, answer.Address, false));
    }
}
