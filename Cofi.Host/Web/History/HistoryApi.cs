using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Progress.History;
using Cofi.Management;
using Cofi.Management.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Cofi.Host.Web.History;

/// <summary>
/// A batch over time, as this coordinator's <see cref="HistoryKeeper"/> kept it from live progress: throughput and ETA
/// per stage, the fleet's slot use, files and errors per machine with breaker changes, and call times per stage.
/// Every answer is bounded (a fixed number of time buckets, fixed histograms) whatever the batch's size.
/// </summary>
public static class HistoryApi
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static RouteGroupBuilder MapHistoryApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches/{batchId:long}").WithTags("history").RequireRole(Role.Viewer);
        group.MapGet("/throughput", (long batchId, IRequiredActor<HistoryKeeper> keeper, BatchReads reads, CancellationToken cancel) =>
            AskAsync<ThroughputHistory>(batchId, new HistoryQueries.GetThroughput(batchId), keeper, reads, cancel)).WithName("BatchThroughput");
        group.MapGet("/fleet", (long batchId, IRequiredActor<HistoryKeeper> keeper, BatchReads reads, CancellationToken cancel) =>
            AskAsync<FleetHistory>(batchId, new HistoryQueries.GetFleet(batchId), keeper, reads, cancel)).WithName("BatchFleet");
        group.MapGet("/latency", (long batchId, string? machine, IRequiredActor<HistoryKeeper> keeper, BatchReads reads, CancellationToken cancel) =>
            AskAsync<LatencyReport>(batchId, new HistoryQueries.GetLatency(batchId, string.IsNullOrWhiteSpace(machine) ? null : machine.Trim()), keeper, reads, cancel))
            .WithName("BatchLatency");
        return group;
    }

    private static async Task<Results<Ok<T>, ProblemHttpResult>> AskAsync<T>(long batchId, object query, IRequiredActor<HistoryKeeper> keeper, BatchReads reads,
        CancellationToken cancel)
    {
        var reply = await keeper.ActorRef.Ask<object>(query, AskTimeout, cancel);
        if (reply is T history) return TypedResults.Ok(history);
        var (batches, _) = await reads.ListAsync();
        if (batches.All(b => b.BatchId != batchId)) return Problems.BatchNotFound(batchId);
        return Problems.NotFound("no history", $"this coordinator has seen no progress of batch {batchId} since it started (history is kept in memory for the {HistoryKeeper.MaxBatches} latest batches)");
    }
}
