using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Management;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cofi.Host.Web;

/// <summary>
/// <c>DELETE /api/batches/{batchId}</c> (admins): an ended batch and all its data are deleted for good — these are
/// recorded phone calls. Takes <c>reason</c> like every mutation, and answers <c>dryRun</c> with what would go.
/// </summary>
public static class PurgeApi
{
    /// <summary>The deletion of a large batch goes in many short chunks; past this the answer is 503 and the purge goes on.</summary>
    private static readonly TimeSpan PurgeTimeout = TimeSpan.FromMinutes(10);

    public static async Task<Results<Ok<BatchReplies.PurgeReport>, Ok<DryRunAnswer>, ProblemHttpResult>> PurgeAsync(long batchId, HttpRequest request,
        IRequiredActor<BatchManager> manager, OperatorLog log)
    {
        var (body, refused) = await OperatorBody.ReadRequestAsync(request);
        if (refused is not null) return refused;
        if (body!.DryRun)
        {
            if (await BatchApi.StatusAsync(manager, batchId) is not { } status) return Problems.BatchNotFound(batchId);
            var name = status.Batch.Status.ToString().ToLowerInvariant();
            if (status.Batch.Status is BatchStatus.Queued or BatchStatus.Running or BatchStatus.Paused)
                return Problems.Conflict($"batch {batchId} is {name}; cancel it first");
            var files = status.Stages.FirstOrDefault()?.Total ?? 0;
            return TypedResults.Ok(new DryRunAnswer(
                $"batch {batchId} '{status.Batch.Name}' ({name}) and all its data — journal, execution log, processing logs and results of its {files:N0} files — are deleted for good",
                files, true));
        }
        var reply = await manager.ActorRef.Ask<object>(new BatchCommands.Purge(batchId), PurgeTimeout);
        if (reply is BatchReplies.PurgeReport report) log.Mutation($"batch {batchId} purged ({report.JournalRows:N0} journal rows, {report.Deleted.Sum(d => d.Value):N0} rows in all)", body.Reason);
        return reply switch
        {
            BatchReplies.PurgeReport purged => TypedResults.Ok(purged),
            BatchReplies.ControlRefused refusal => Problems.Conflict(refusal.Reason),
            BatchReplies.NotFound notFound => Problems.BatchNotFound(notFound.BatchId),
            BatchReplies.PurgeFailed failed => Problems.Status(StatusCodes.Status500InternalServerError, "purge incomplete",
                $"batch {batchId} is forgotten but not all its data could be deleted ({failed.Reason}); purge it again to finish"),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }
}
