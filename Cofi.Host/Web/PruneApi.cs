using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Host.Commands;
using Cofi.Management;
using Cofi.Management.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Cofi.Host.Web;

/// <summary>
/// <c>POST /api/prune</c> (admins): retention. Every batch that ended before a cut-off (<c>olderThan</c> an age, or
/// <c>endedBefore</c> a time) is purged whole — journal, snapshots, execution log, processing logs, file distribution,
/// results — through the BatchManager, as <c>DELETE /api/batches/{id}</c> purges one; a queued, running or paused batch
/// is never touched. Then the read-model rows older than the cut-off of batches the manager does not know go too.
/// <c>dryRun</c> answers what would go: the batches and the rows per table.
/// </summary>
public static class PruneApi
{
    /// <param name="OlderThan">an age such as 90d: the cut-off is that long ago.</param>
    /// <param name="EndedBefore">the cut-off itself, not in the future.</param>
    public sealed record PruneRequest(string? OlderThan = null, DateTimeOffset? EndedBefore = null, string? Reason = null, bool DryRun = false);

    /// <summary>A dry run: what would go (<see cref="DryRunAnswer"/>'s fields, so a client asks first), with the batches and rows per table.</summary>
    public sealed record PruneDryRun(string Affects, int Count, bool Confirm, DateTimeOffset EndedBefore, IReadOnlyList<BatchSummary> Batches,
        IReadOnlyDictionary<string, long> Rows, IReadOnlyDictionary<string, long> Unbatched);

    /// <summary>A large prune goes batch by batch in many short chunks; past this the answer is 503 and the prune goes on.</summary>
    private static readonly TimeSpan PruneTimeout = TimeSpan.FromMinutes(30);

    private static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>(OperatorRequest.Expected)
    {
        ["olderThan"] = RetentionAge.Hint,
        ["endedBefore"] = "a time in ISO 8601, e.g. 2026-03-01T00:00:00Z",
    };

    public static IEndpointRouteBuilder MapPruneApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/prune", PruneAsync).WithTags("batches").WithName("PruneBatches").RequireRole(Role.Admin);
        return routes;
    }

    public static async Task<Results<Ok<BatchReplies.PruneReport>, Ok<PruneDryRun>, ProblemHttpResult>> PruneAsync(HttpRequest request,
        IRequiredActor<BatchManager> manager, OperatorLog log, TimeProvider clock)
    {
        var (body, refused) = await OperatorBody.ReadAsync(request, Fields, new PruneRequest());
        if (refused is not null) return refused;
        if (OperatorBody.ReasonProblem(body!.Reason) is { } badReason) return badReason;
        var now = clock.GetUtcNow();
        DateTimeOffset cutoff;
        if (body.OlderThan is not null && body.EndedBefore is not null) return Problems.Fields("olderThan", "give olderThan or endedBefore, not both");
        if (body.EndedBefore is { } endedBefore)
        {
            if (endedBefore > now) return Problems.Fields("endedBefore", "must not be in the future");
            cutoff = endedBefore;
        }
        else if (body.OlderThan is null) return Problems.Fields("olderThan", $"is required (or endedBefore): {RetentionAge.Hint}");
        else if (!RetentionAge.TryParse(body.OlderThan, out var age)) return Problems.Fields("olderThan", $"must be {RetentionAge.Hint} (got '{body.OlderThan}')");
        else cutoff = now - age;

        var report = await manager.ActorRef.Ask<BatchReplies.PruneReport>(new BatchCommands.Prune(cutoff, body.DryRun), PruneTimeout);
        if (report.DryRun)
            return TypedResults.Ok(new PruneDryRun(
                $"{report.Batches.Count:N0} {(report.Batches.Count == 1 ? "batch" : "batches")} that ended before {cutoff:u} and all their data ({report.Rows.Values.Sum():N0} rows), " +
                $"and {report.Unbatched.Values.Sum():N0} older rows of no known batch, are deleted for good",
                report.Batches.Count, report.Batches.Count > 0 || report.Unbatched.Values.Sum() > 0, cutoff, report.Batches, report.Rows, report.Unbatched));
        log.Mutation($"batches that ended before {cutoff:u} pruned ({report.Batches.Count:N0} batches, {report.Rows.Values.Sum() + report.Unbatched.Values.Sum():N0} rows)",
            body.Reason);
        return report.Incomplete is { } why
            ? Problems.Status(StatusCodes.Status500InternalServerError, "prune incomplete",
                $"{report.Batches.Count:N0} batches were purged before the prune stopped ({why}); prune again to finish")
            : TypedResults.Ok(report);
    }
}
