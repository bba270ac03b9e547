using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Actors.Stages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Cofi.Host.Web;

/// <summary>
/// Batches: list, submit, get, pause, resume, cancel, retry-failed. Answers come from the BatchManager's memory, not the
/// database; reads that it cannot answer while it moves between coordinators come from live progress (<see cref="BatchReads"/>).
/// </summary>
public static class BatchApi
{
    /// <summary>Set on the answer to a retried submission: the first answer again, nothing new started.</summary>
    public const string ReplayedHeader = "Idempotency-Replayed";

    /// <param name="Input">the input as it was recorded: its full path.</param>
    public sealed record SubmitResponse(long BatchId, bool Resumed, string Input);

    public sealed record BatchDetail(BatchSummary Batch, IReadOnlyList<StageCounts> Stages);

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapBatchApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches").WithTags("batches");
        group.MapGet("/", ListAsync).WithName("ListBatches");
        group.MapPost("/", SubmitAsync).WithName("SubmitBatch").RequireApiToken()
            .Accepts<SubmitRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/{batchId:long}", GetAsync).WithName("GetBatch");
        group.MapPost("/{batchId:long}/pause", (long batchId, IRequiredActor<BatchManager> manager) => ControlAsync(manager, new BatchCommands.Pause(batchId))).WithName("PauseBatch").RequireApiToken();
        group.MapPost("/{batchId:long}/resume", (long batchId, IRequiredActor<BatchManager> manager) => ControlAsync(manager, new BatchCommands.Resume(batchId))).WithName("ResumeBatch").RequireApiToken();
        group.MapPost("/{batchId:long}/cancel", CancelAsync).WithName("CancelBatch").RequireApiToken();
        group.MapPost("/{batchId:long}/retry-failed", RetryFailedAsync).WithName("RetryFailedFiles").RequireApiToken();
        return group;
    }

    public static async Task<Ok<IReadOnlyList<BatchSummary>>> ListAsync(BatchReads reads, HttpContext http)
    {
        var (batches, fromProgress) = await reads.ListAsync();
        if (fromProgress) http.Response.Headers[BatchReads.AnsweredByHeader] = BatchReads.FromProgress;
        return TypedResults.Ok<IReadOnlyList<BatchSummary>>(batches.OrderByDescending(b => b.BatchId).ToList());
    }

    /// <summary>
    /// Reads the body itself, so that every refusal is problem details naming the field. A retry with the same
    /// <c>Idempotency-Key</c> gets the first answer again; the same key with another request is a conflict.
    /// </summary>
    /// <param name="idempotencyKey">1 to 200 visible ASCII characters.</param>
    public static async Task<Results<Created<SubmitResponse>, ProblemHttpResult>> SubmitAsync(HttpRequest request,
        [FromHeader(Name = SubmitRules.IdempotencyHeader)] string? idempotencyKey, WebSettings web, IRequiredActor<BatchManager> manager)
    {
        var (body, refused) = await JsonBody.ReadAsync<SubmitRequest>(request, SubmitRules.Expected);
        if (refused is not null) return refused;
        var (submit, errors) = SubmitRules.Check(body!, idempotencyKey, web.InputRoots);
        if (submit is null) return Problems.Fields(errors);
        var reply = await manager.ActorRef.Ask<ISubmitReply>(submit, AskTimeout);
        switch (reply)
        {
            case SubmitKeyConflict conflict:
                return Problems.Conflict($"{SubmitRules.IdempotencyHeader} '{conflict.IdempotencyKey}' was first sent for batch {conflict.BatchId} with another request");
            case BatchAccepted accepted:
                if (accepted.Replayed) request.HttpContext.Response.Headers[ReplayedHeader] = "true";
                return TypedResults.Created($"/api/batches/{accepted.BatchId}", new SubmitResponse(accepted.BatchId, accepted.Resumed, submit.Input));
            default:
                throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}");
        }
    }

    public static async Task<Results<Ok<BatchDetail>, ProblemHttpResult>> GetAsync(long batchId, BatchReads reads, HttpContext http)
    {
        var (reply, fromProgress) = await reads.StatusAsync(batchId);
        if (fromProgress) http.Response.Headers[BatchReads.AnsweredByHeader] = BatchReads.FromProgress;
        return reply switch
        {
            BatchStatusReply status => TypedResults.Ok(new BatchDetail(status.Batch, status.Stages)),
            null => Problems.Unavailable(http, $"the batch manager is not answering (a coordinator may be taking over) and this coordinator has seen no progress of batch {batchId}"),
            _ => Problems.BatchNotFound(batchId),
        };
    }

    private static async Task<Results<Ok<BatchSummary>, ProblemHttpResult>> ControlAsync(IRequiredActor<BatchManager> manager, IBatchCommand command)
    {
        var reply = await manager.ActorRef.Ask<object>(command, AskTimeout);
        return reply switch
        {
            BatchUpdated updated => TypedResults.Ok(updated.Summary),
            BatchControlRefused refused => Problems.Conflict(refused.Reason),
            BatchNotFound notFound => Problems.BatchNotFound(notFound.BatchId),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }

    public static async Task<Results<Ok<BatchFinished>, ProblemHttpResult>> CancelAsync(long batchId, IRequiredActor<BatchManager> manager)
    {
        var reply = await manager.ActorRef.Ask<object>(new BatchCommands.Cancel(batchId), AskTimeout);
        return reply switch
        {
            BatchFinished finished => TypedResults.Ok(finished),
            BatchControlRefused refused => Problems.Conflict(refused.Reason),
            BatchNotFound notFound => Problems.BatchNotFound(notFound.BatchId),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }

    /// <summary>Failed files go through again from the stage each failed at: a finished batch is queued again, a running one requeues them.</summary>
    public static async Task<Results<Accepted<RetryFailedAccepted>, ProblemHttpResult>> RetryFailedAsync(long batchId, IRequiredActor<BatchManager> manager)
    {
        var reply = await manager.ActorRef.Ask<object>(new BatchCommands.RetryFailed(batchId), AskTimeout);
        return reply switch
        {
            RetryFailedAccepted accepted => TypedResults.Accepted($"/api/batches/{batchId}", accepted),
            BatchNotFound notFound => Problems.BatchNotFound(notFound.BatchId),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }
}
