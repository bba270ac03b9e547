using Cofi.Actors.Serialization;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Batches;

/// <summary>What the BatchManager answers the one who asked; nothing here is published on the event stream.</summary>
public static class BatchReplies
{
    /// <param name="Replayed">the submission's idempotency key was seen before: this is the first answer again, nothing new was queued.</param>
    public sealed record Accepted(long BatchId, bool Resumed, bool Replayed = false) : ISubmitReply, IWithBatchId;

    /// <summary>The idempotency key was first used for batch <see cref="BatchId"/> with a different request.</summary>
    public sealed record SubmitKeyConflict(string IdempotencyKey, long BatchId) : ISubmitReply;

    /// <summary>The input's latest batch completed and the submission did not ask to run it again; nothing was queued.</summary>
    public sealed record AlreadyCompleted(BatchSummary Batch, IReadOnlyList<StageCounts> Stages) : ISubmitReply;

    /// <summary>Every batch the manager knows, the answer to <see cref="BatchQueries.GetBatches"/>.</summary>
    public sealed record List(IReadOnlyList<BatchSummary> Batches) : ICofiMessage;

    /// <summary>A batch and its stages' counts, the answer to <see cref="BatchQueries.GetStatus"/>.</summary>
    public sealed record Status(BatchSummary Batch, IReadOnlyList<StageCounts> Stages) : ICofiMessage;

    public sealed record NotFound(long BatchId) : ICofiMessage, IWithBatchId;

    /// <summary>A pause, resume, cancel or purge that does not apply to the batch as it is now.</summary>
    public sealed record ControlRefused(long BatchId, string Reason) : ICofiMessage, IWithBatchId;

    /// <summary>What a purge deleted: rows per table, the journal, snapshot and read-model tables alike.</summary>
    public sealed record PurgeReport(long BatchId, IReadOnlyDictionary<string, long> Deleted) : ICofiMessage, IWithBatchId
    {
        /// <summary>Rows of the batch's own journals among <see cref="Deleted"/>.</summary>
        public long JournalRows => Deleted.GetValueOrDefault(Persistence.JournalTables.Journal);
    }

    /// <summary>A purge that could not delete everything (the database failed); the batch stays forgotten, and purging it again finishes the work.</summary>
    public sealed record PurgeFailed(long BatchId, string Reason) : ICofiMessage, IWithBatchId;

    /// <summary>What a prune deleted (or, in a dry run, would delete).</summary>
    /// <param name="Batches">the batches purged (or to be purged), each as it was before.</param>
    /// <param name="Rows">their rows by table: journal, tags, snapshots and the read model.</param>
    /// <param name="Unbatched">read-model rows older than the cut-off of batches the manager does not know, by table.</param>
    /// <param name="Incomplete">why the prune stopped before the end; what it did by then is in the report, and pruning again finishes it.</param>
    public sealed record PruneReport(DateTimeOffset EndedBefore, bool DryRun, IReadOnlyList<BatchSummary> Batches, IReadOnlyDictionary<string, long> Rows,
        IReadOnlyDictionary<string, long> Unbatched, string? Incomplete = null) : ICofiMessage;

    /// <param name="WasFinished">the batch had ended and is queued again; false: the unfinished batch takes its failed files back at once.</param>
    public sealed record RetryFailedAccepted(long BatchId, bool WasFinished) : ICofiMessage, IWithBatchId;

    public sealed record MachineAccepted(string Machine, int RunningBatches) : ICofiMessage;

    public sealed record MachineRejected(string Machine, string Reason) : ICofiMessage;

    public sealed record MachineWithdrawn(string Machine, int RunningBatches) : ICofiMessage;
}
