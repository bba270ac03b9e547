using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Stages;
using Cofi.Host.Web.Events;
using Cofi.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Host.Web;

/// <summary>
/// Batches: list, submit, get, stragglers (<see cref="StragglerApi"/>), pause, resume, cancel, retry-failed, priority, purge (<see cref="PurgeApi"/>). Answers come from the BatchManager's
/// memory, not the database; reads that it cannot answer while it moves between coordinators come from live progress
/// (<see cref="BatchReads"/>). Every mutation takes an optional JSON body with <c>reason</c>, recorded in the log
/// line it leaves; cancel and retry-failed answer <c>dryRun</c> with what they would affect.
/// </summary>
public static class BatchApi
{
    /// <summary>Set on the answer to a retried submission: the first answer again, nothing new started.</summary>
    public const string ReplayedHeader = "Idempotency-Replayed";

    /// <summary>retry-failed over more files than this asks the operator first.</summary>
    public const int ConfirmRetryOver = 1_000;

    /// <param name="Input">the input as it was recorded: its full path.</param>
    public sealed record SubmitResponse(long BatchId, bool Resumed, string Input);

    public sealed record BatchDetail(BatchSummary Batch, IReadOnlyList<StageCounts> Stages);

    /// <param name="Stage">only the files that failed at this stage.</param>
    public sealed record RetryRequest(string? Stage = null, string? Reason = null, bool DryRun = false, bool IncludeQuarantined = false);

    public sealed record PriorityRequest(int? Priority = null, double? Weight = null, string? Reason = null);

    public const double MinWeight = 0.1;
    public const double MaxWeight = 100;

    private static readonly IReadOnlyDictionary<string, string> RetryFields = new Dictionary<string, string>(OperatorRequest.Expected)
        { ["stage"] = "a string", ["includeQuarantined"] = "true or false" };

    private static readonly IReadOnlyDictionary<string, string> PriorityFields = new Dictionary<string, string>(OperatorRequest.Expected)
    {
        ["priority"] = $"a whole number from {SubmitRules.MinPriority} to {SubmitRules.MaxPriority}",
        ["weight"] = $"a number from {MinWeight} to {MaxWeight}",
    };

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapBatchApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches").WithTags("batches").RequireRole(Role.Viewer);
        group.MapGet("/", ListAsync).WithName("ListBatches");
        group.MapPost("/", SubmitAsync).WithName("SubmitBatch").RequireRole(Role.Operator)
            .Accepts<SubmitRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/{batchId:long}", GetAsync).WithName("GetBatch");
        group.MapGet("/{batchId:long}/stragglers", StragglerApi.StragglersAsync).WithName("BatchStragglers");
        group.MapPost("/{batchId:long}/pause", (long batchId, HttpRequest request, IRequiredActor<BatchManager> manager, OperatorLog log) =>
            ControlAsync(request, manager, log, new BatchCommands.Pause(batchId), $"batch {batchId} paused")).WithName("PauseBatch").RequireRole(Role.Operator);
        group.MapPost("/{batchId:long}/resume", (long batchId, HttpRequest request, IRequiredActor<BatchManager> manager, OperatorLog log) =>
            ControlAsync(request, manager, log, new BatchCommands.Resume(batchId), $"batch {batchId} resumed")).WithName("ResumeBatch").RequireRole(Role.Operator);
        group.MapPost("/{batchId:long}/cancel", CancelAsync).WithName("CancelBatch").RequireRole(Role.Operator);
        group.MapPost("/{batchId:long}/retry-failed", RetryFailedAsync).WithName("RetryFailedFiles").RequireRole(Role.Operator);
        group.MapPost("/{batchId:long}/priority", PriorityAsync).WithName("SetBatchPriority").RequireRole(Role.Operator);
        group.MapDelete("/{batchId:long}", PurgeApi.PurgeAsync).WithName("PurgeBatch").RequireRole(Role.Admin);
        return group;
    }

    /// <summary>The BatchManager's status of the batch, for a dry run; null when there is no such batch.</summary>
    public static async Task<BatchReplies.Status?> StatusAsync(IRequiredActor<BatchManager> manager, long batchId) =>
        await manager.ActorRef.Ask<object>(new BatchQueries.GetStatus(batchId), AskTimeout) as BatchReplies.Status;

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
        [FromHeader(Name = SubmitRules.IdempotencyHeader)] string? idempotencyKey, WebSettings web, IRequiredActor<BatchManager> manager, OperatorLog log)
    {
        var (body, refused) = await JsonBody.ReadAsync<SubmitRequest>(request, SubmitRules.Expected);
        if (refused is not null) return refused;
        var (submit, errors) = SubmitRules.Check(body!, idempotencyKey, web.InputRoots);
        if (submit is null) return Problems.Fields(errors);
        var reply = await manager.ActorRef.Ask<ISubmitReply>(submit, AskTimeout);
        switch (reply)
        {
            case BatchReplies.SubmitKeyConflict conflict:
                return Problems.Conflict($"{SubmitRules.IdempotencyHeader} '{conflict.IdempotencyKey}' was first sent for batch {conflict.BatchId} with another request");
            case BatchReplies.Accepted accepted:
                if (accepted.Replayed) request.HttpContext.Response.Headers[ReplayedHeader] = "true";
                else log.Mutation($"batch {accepted.BatchId} {(accepted.Resumed ? "resumed by a submission" : "submitted")} over {submit.Input}", body!.Reason);
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
            BatchReplies.Status status => TypedResults.Ok(new BatchDetail(status.Batch, status.Stages)),
            null => Problems.Unavailable(http, $"the batch manager is not answering (a coordinator may be taking over) and this coordinator has seen no progress of batch {batchId}"),
            _ => Problems.BatchNotFound(batchId),
        };
    }

    private static async Task<Results<Ok<BatchSummary>, ProblemHttpResult>> ControlAsync(HttpRequest request, IRequiredActor<BatchManager> manager,
        OperatorLog log, IBatchCommand command, string what)
    {
        var (body, refused) = await OperatorBody.ReadRequestAsync(request);
        if (refused is not null) return refused;
        var reply = await manager.ActorRef.Ask<object>(command, AskTimeout);
        if (reply is BatchUpdated) log.Mutation(what, body!.Reason);
        return reply switch
        {
            BatchUpdated updated => TypedResults.Ok(updated.Summary),
            BatchReplies.ControlRefused refusal => Problems.Conflict(refusal.Reason),
            BatchReplies.NotFound notFound => Problems.BatchNotFound(notFound.BatchId),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }

    public static async Task<Results<Ok<BatchFinished>, Ok<DryRunAnswer>, ProblemHttpResult>> CancelAsync(long batchId, HttpRequest request,
        IRequiredActor<BatchManager> manager, OperatorLog log)
    {
        var (body, refused) = await OperatorBody.ReadRequestAsync(request);
        if (refused is not null) return refused;
        if (body!.DryRun)
        {
            if (await BatchApi.StatusAsync(manager, batchId) is not { } status) return Problems.BatchNotFound(batchId);
            if (status.Batch.Status is not (BatchStatus.Queued or BatchStatus.Running or BatchStatus.Paused))
                return Problems.Conflict($"batch {batchId} is {status.Batch.Status.ToString().ToLowerInvariant()} already");
            var total = status.Stages.FirstOrDefault()?.Total;
            var settled = status.Stages.LastOrDefault()?.Settled ?? 0;
            var open = total is { } t ? Math.Max(0, t - settled) : 0;
            return TypedResults.Ok(new DryRunAnswer(
                $"batch {batchId} '{status.Batch.Name}' ({status.Batch.Status.ToString().ToLowerInvariant()}) ends as cancelled; " +
                (total is null ? "its files are not all registered yet" : $"{open:N0} of its {total:N0} files are not through every stage"), open, true));
        }
        var reply = await manager.ActorRef.Ask<object>(new BatchCommands.Cancel(batchId), AskTimeout);
        if (reply is BatchFinished) log.Mutation($"batch {batchId} cancelled", body.Reason);
        return reply switch
        {
            BatchFinished finished => TypedResults.Ok(finished),
            BatchReplies.ControlRefused refusal => Problems.Conflict(refusal.Reason),
            BatchReplies.NotFound notFound => Problems.BatchNotFound(notFound.BatchId),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }

    /// <summary>Failed files go through again from the stage each failed at: a finished batch is queued again, a running one requeues them.</summary>
    public static async Task<Results<Accepted<BatchReplies.RetryFailedAccepted>, Ok<DryRunAnswer>, ProblemHttpResult>> RetryFailedAsync(long batchId, HttpRequest request,
        IRequiredActor<BatchManager> manager, CofiSettings settings, ReadModelEvents events, OperatorLog log)
    {
        var (body, refused) = await OperatorBody.ReadAsync(request, RetryFields, new RetryRequest());
        if (refused is not null) return refused;
        if (OperatorBody.ReasonProblem(body!.Reason) is { } badReason) return badReason;
        if (body.Stage is { } stage && settings.Pipeline.Stages.All(s => s.Name != stage || s.Kind == StageKind.Distribution))
            return Problems.Fields("stage", $"unknown stage '{stage}'; stages are {string.Join(", ", settings.Pipeline.Stages.Where(s => s.Kind != StageKind.Distribution).Select(s => s.Name))}");
        if (body.DryRun)
        {
            if (await BatchApi.StatusAsync(manager, batchId) is not { } status) return Problems.BatchNotFound(batchId);
            var failed = status.Stages.Skip(1).Where(s => body.Stage is null || s.Stage == body.Stage).Sum(s => s.Failed);
            // Quarantined files are among the failed ones and stay failed unless asked for.
            var quarantined = await events.CountEventsAsync(batchId, new EventFilter(body.Stage, ReadModelProjection.EventTypes.FileError, null, ReadModelProjection.Quarantined),
                request.HttpContext.RequestAborted);
            var retried = body.IncludeQuarantined ? failed : Math.Max(0, failed - quarantined);
            var left = body.IncludeQuarantined || quarantined == 0 ? "" : $"; {quarantined:N0} quarantined file(s) stay failed unless included";
            return TypedResults.Ok(new DryRunAnswer($"{retried:N0} failed file(s) of batch {batchId} '{status.Batch.Name}'" +
                (body.Stage is null ? "" : $" at {body.Stage}") + " go through again from the stage each failed at" + left, retried, retried > ConfirmRetryOver));
        }
        var reply = await manager.ActorRef.Ask<object>(new BatchCommands.RetryFailed(batchId, body.Stage, body.IncludeQuarantined), AskTimeout);
        if (reply is BatchReplies.RetryFailedAccepted)
            log.Mutation($"batch {batchId}: failed files retried" + (body.Stage is null ? "" : $" at {body.Stage}") + (body.IncludeQuarantined ? ", quarantined ones too" : ""), body.Reason);
        return reply switch
        {
            BatchReplies.RetryFailedAccepted accepted => TypedResults.Accepted($"/api/batches/{batchId}", accepted),
            BatchReplies.NotFound notFound => Problems.BatchNotFound(notFound.BatchId),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }

    /// <summary>
    /// Records the batch's new priority (queued batches start by it; running batches take free machine slots by it), its
    /// new weight among batches of equal priority, or both.
    /// </summary>
    public static async Task<Results<Ok<BatchSummary>, ProblemHttpResult>> PriorityAsync(long batchId, HttpRequest request,
        IRequiredActor<BatchManager> manager, OperatorLog log)
    {
        var (body, refused) = await OperatorBody.ReadAsync(request, PriorityFields, new PriorityRequest());
        if (refused is not null) return refused;
        if (OperatorBody.ReasonProblem(body!.Reason) is { } badReason) return badReason;
        if (body.Priority is null && body.Weight is null)
            return Problems.Fields("priority", $"required (or weight): a whole number from {SubmitRules.MinPriority} to {SubmitRules.MaxPriority}");
        if (body.Priority is < SubmitRules.MinPriority or > SubmitRules.MaxPriority)
            return Problems.Fields("priority", $"a whole number from {SubmitRules.MinPriority} to {SubmitRules.MaxPriority}");
        if (body.Weight is { } weight && (double.IsNaN(weight) || weight is < MinWeight or > MaxWeight))
            return Problems.Fields("weight", $"a number from {MinWeight} to {MaxWeight}");
        var reply = await manager.ActorRef.Ask<object>(new BatchCommands.SetPriority(batchId, body.Priority, body.Weight), AskTimeout);
        if (reply is BatchUpdated changed)
            log.Mutation($"batch {batchId}: priority {changed.Summary.Priority}" + (body.Weight is null ? "" : $", weight {changed.Summary.Weight}"), body.Reason);
        return reply switch
        {
            BatchUpdated updated => TypedResults.Ok(updated.Summary),
            BatchReplies.NotFound notFound => Problems.BatchNotFound(notFound.BatchId),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }
}
