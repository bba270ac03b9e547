using Cofi.Actors.ReadModel;
using Cofi.Actors.Serialization;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Batches;

public enum BatchStatus
{
    Queued,
    Running,
    Completed,
    /// <summary>Stopped before its files could go through: no valid input, unreadable input.</summary>
    Failed,
    /// <summary>Running, but its stages hand out no new work until it is resumed.</summary>
    Paused,
    /// <summary>Ended by an operator before every file was through.</summary>
    Cancelled,
}

/// <summary>Sent to the BatchManager, from another coordinator too (its API forwards to the singleton). Those about one batch are also <see cref="IWithBatchId"/>.</summary>
public interface IBatchCommand : ICofiMessage;

public interface IBatchQuery : ICofiMessage;

public interface IBatchEvent : ICofiMessage;

public static class BatchCommands
{
    /// <summary>
    /// Queue a batch over an input folder or manifest; with <see cref="ResumeUnfinished"/>, an unfinished batch over the
    /// same input is resumed instead. Answered with an <see cref="ISubmitReply"/>.
    /// </summary>
    /// <param name="Name">shown with the batch; null: the input folder's or manifest's name.</param>
    /// <param name="Priority">from -100 to 100, higher first; queued batches start by it, and running batches take free machine slots by it.</param>
    /// <param name="IdempotencyKey">a retry with the same key gets the first answer again instead of another batch.</param>
    /// <param name="Again">false: an input whose latest batch completed is not run again (<see cref="BatchReplies.AlreadyCompleted"/>).</param>
    public sealed record Submit(string Input, bool ResumeUnfinished, string? Name = null, int Priority = 0,
        IReadOnlyDictionary<string, string>? Labels = null, string? IdempotencyKey = null, bool Again = true) : IBatchCommand;

    /// <summary>Answered with <see cref="BatchFinished"/> once the batch has finished (at once if it already has).</summary>
    public sealed record AwaitCompletion(long BatchId) : IBatchCommand, IWithBatchId;

    /// <summary>Stop handing out new work for a running batch; answered with <see cref="BatchUpdated"/>, <see cref="BatchReplies.ControlRefused"/> or <see cref="BatchReplies.NotFound"/>.</summary>
    public sealed record Pause(long BatchId) : IBatchCommand, IWithBatchId;

    /// <summary>Let a paused batch go on; answered like <see cref="Pause"/>.</summary>
    public sealed record Resume(long BatchId) : IBatchCommand, IWithBatchId;

    /// <summary>End an unfinished batch as cancelled; answered with <see cref="BatchFinished"/> once it has ended.</summary>
    public sealed record Cancel(long BatchId) : IBatchCommand, IWithBatchId;

    /// <summary>
    /// Process the batch's failed files again (retry-failed): a finished batch is queued again, a running one requeues
    /// them at once. Answered with <see cref="BatchReplies.RetryFailedAccepted"/> or <see cref="BatchReplies.NotFound"/>.
    /// </summary>
    /// <param name="Stage">only the files that failed at this stage; null: every failed file.</param>
    /// <param name="IncludeQuarantined">quarantined files too (they are left out by default: their calls hung on several machines).</param>
    public sealed record RetryFailed(long BatchId, string? Stage = null, bool IncludeQuarantined = false) : IBatchCommand, IWithBatchId;

    /// <summary>Record a batch's new priority (from -100 to 100); answered with <see cref="BatchUpdated"/> or <see cref="BatchReplies.NotFound"/>.</summary>
    /// <summary>A new priority, a new weight among batches of equal priority, or both; what is not given stays.</summary>
    public sealed record SetPriority(long BatchId, int? Priority, double? Weight = null) : IBatchCommand, IWithBatchId;

    /// <summary>
    /// A GPU machine the coordinator serves itself (an HTTP endpoint) stops getting work: its workers stop and their
    /// calls in flight go back to the queue. Answered with <see cref="BatchReplies.MachineWithdrawn"/> or <see cref="BatchReplies.MachineRejected"/>.
    /// </summary>
    public sealed record RemoveMachine(string Machine) : IBatchCommand;

    /// <summary>
    /// A GPU machine that is only an HTTP endpoint joins: every running batch (and every later one) gets a GpuWorker
    /// for it. Answered with <see cref="BatchReplies.MachineAccepted"/> or <see cref="BatchReplies.MachineRejected"/>.
    /// </summary>
    public sealed record AddMachine(string Machine) : IBatchCommand;

    /// <summary>
    /// The process is stopping: every stage of every running batch hands out no new work (not recorded, unlike
    /// <see cref="Pause"/>), and no queued batch starts. Answered with <see cref="BatchesHeld"/> once every call in
    /// flight is back and recorded, or when <see cref="Grace"/> has run out. Sent by the node's own shutdown only.
    /// </summary>
    public sealed record Hold(TimeSpan Grace) : IBatchCommand;

    /// <summary>
    /// Delete an ended batch's data everywhere: its journals and snapshots and every read-model row of it. The batch
    /// is forgotten first and stays forgotten; its data goes in short chunks, and asking again for a batch already
    /// purged finishes what an interrupted purge left. Answered with <see cref="BatchReplies.PurgeReport"/>,
    /// <see cref="BatchReplies.ControlRefused"/> (the batch has not ended), <see cref="BatchReplies.NotFound"/> or <see cref="BatchReplies.PurgeFailed"/>.
    /// </summary>
    /// <param name="ChunkRows">rows deleted in each short transaction.</param>
    public sealed record Purge(long BatchId, int ChunkRows = BatchPurge.DefaultChunkRows) : IBatchCommand, IWithBatchId;

    /// <summary>
    /// Retention: purge every batch that ended (completed, failed or cancelled) before <see cref="EndedBefore"/>, one
    /// after the other as <see cref="Purge"/> does, then delete the read-model rows older than it of batches this
    /// manager does not know. A queued, running or paused batch is never touched, however old. With
    /// <see cref="DryRun"/> nothing is deleted and the report counts what would go. Answered with <see cref="BatchReplies.PruneReport"/>.
    /// </summary>
    public sealed record Prune(DateTimeOffset EndedBefore, bool DryRun = false, int ChunkRows = BatchPurge.DefaultChunkRows) : IBatchCommand;
}

public static class BatchQueries
{
    public sealed record GetBatches : IBatchQuery
    {
        public static readonly GetBatches Instance = new();
    }

    /// <summary>Answered with <see cref="BatchReplies.Status"/> once the batch's stages have recovered, or <see cref="BatchReplies.NotFound"/>.</summary>
    public sealed record GetStatus(long BatchId) : IBatchQuery, IWithBatchId;

    /// <summary>Answered with <see cref="BatchStragglers"/> (at most <see cref="Limit"/> calls; none once the batch has ended) or <see cref="BatchReplies.NotFound"/>.</summary>
    public sealed record GetStragglers(long BatchId, int Limit) : IBatchQuery, IWithBatchId;
}

public static class BatchEvents
{
    /// <summary>A batch was queued. The members after <see cref="At"/> came later: events recorded before them read back with the defaults.</summary>
    /// <param name="RequestHash">with <see cref="IdempotencyKey"/>: what the submission asked for (<see cref="SubmitFingerprint"/>).</param>
    public sealed record Submitted(long BatchId, string Input, DateTimeOffset At, string? Name = null, int Priority = 0,
        IReadOnlyDictionary<string, string>? Labels = null, string? IdempotencyKey = null, string? RequestHash = null) : IBatchEvent, IWithBatchId;

    /// <summary>A submission with an idempotency key resumed this unfinished batch instead of queueing one; its retries get the same answer.</summary>
    public sealed record ResumedBySubmit(long BatchId, string IdempotencyKey, string RequestHash, DateTimeOffset At) : IBatchEvent, IWithBatchId;

    public sealed record Started(long BatchId, DateTimeOffset At) : IBatchEvent, IWithBatchId;

    public sealed record Finished(long BatchId, BatchStatus Status, string? Reason, IReadOnlyList<StageCounts> Stages, DateTimeOffset At) : IBatchEvent, IWithBatchId;

    public sealed record Paused(long BatchId, DateTimeOffset At) : IBatchEvent, IWithBatchId;

    public sealed record Resumed(long BatchId, DateTimeOffset At) : IBatchEvent, IWithBatchId;

    /// <summary>The manager's record of a retry-failed request: a finished batch is queued again.</summary>
    /// <param name="Stage">only the files that failed at this stage; null: every failed file.</param>
    /// <param name="IncludeQuarantined">quarantined files are taken back too.</param>
    public sealed record RetryRequested(long BatchId, DateTimeOffset At, string? Stage = null, bool IncludeQuarantined = false) : IBatchEvent, IWithBatchId;

    /// <summary>An operator gave the batch another priority.</summary>
    /// <param name="Weight">null in events recorded before weights could be set: the weight stays</param>
    public sealed record PriorityChanged(long BatchId, int Priority, DateTimeOffset At, double? Weight = null) : IBatchEvent, IWithBatchId;

    /// <summary>An operator removed a GPU machine the coordinator served itself.</summary>
    public sealed record MachineRemoved(string Machine, DateTimeOffset At) : IBatchEvent;

    /// <summary>The batch supervisor's record that it carried out retry-failed request number <see cref="Request"/>.</summary>
    public sealed record RetryStarted(long BatchId, int Request, DateTimeOffset At) : IBatchEvent, IWithBatchId;

    /// <summary>An operator added a GPU machine that is only an HTTP endpoint.</summary>
    public sealed record MachineAdded(string Machine, DateTimeOffset At) : IBatchEvent;

    /// <summary>An ended batch was purged: it leaves the queue for good, and its data is being deleted.</summary>
    public sealed record Purged(long BatchId, DateTimeOffset At) : IBatchEvent, IWithBatchId;

    /// <summary>Every row of a purged batch is deleted.</summary>
    public sealed record PurgeCompleted(long BatchId, DateTimeOffset At) : IBatchEvent, IWithBatchId;
}

/// <summary>What a <see cref="BatchCommands.Submit"/> is answered with.</summary>
public interface ISubmitReply : ICofiMessage;

/// <param name="Name">null (a batch recorded before batches had names): the input folder's or manifest's name.</param>
/// <param name="Labels">null: none.</param>
public sealed record BatchSummary(long BatchId, string Input, BatchStatus Status, string? Reason, DateTimeOffset SubmittedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    string? Name = null, int Priority = 0, IReadOnlyDictionary<string, string>? Labels = null, double Weight = BatchSummary.DefaultWeight)
{
    /// <summary>A batch's share of free machine slots among batches of equal priority, against the others' weights.</summary>
    public const double DefaultWeight = 1;

    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    public string Name { get; init; } = Name ?? DefaultName(Input);

    public IReadOnlyDictionary<string, string> Labels { get; init; } = Labels ?? NoLabels;

    /// <summary>The name of a batch that was given none: its input folder's or manifest's name.</summary>
    public static string DefaultName(string input)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(input));
        return name.Length > 0 ? name : input;
    }
}

/// <summary>Published as a stop's hold begins: the calls of the batch in flight, which the stop now waits for.</summary>
public sealed record BatchHolding(long BatchId, int InFlight) : IWithBatchId;

/// <summary>The answer to <see cref="BatchCommands.Hold"/>; published on the event stream by the shutdown step that asked.</summary>
/// <param name="StillInFlight">calls that had not come back when the grace ran out: they are made again when the batch resumes.</param>
public sealed record BatchesHeld(int Batches, int StillInFlight, bool GraceRanOut, TimeSpan Grace);

/// <summary>
/// A batch has ended: its supervisor tells the manager, which publishes it on the event stream and answers
/// <see cref="BatchCommands.AwaitCompletion"/> and <see cref="BatchCommands.Cancel"/> with it.
/// </summary>
public sealed record BatchFinished(long BatchId, BatchStatus Status, string? Reason, IReadOnlyList<StageCounts> Stages, DateTimeOffset At) : ICofiMessage, IWithBatchId;

/// <summary>A batch's summary after a recorded change; the reply to pause and resume, and published on the event stream.</summary>
public sealed record BatchUpdated(BatchSummary Summary) : ICofiMessage;

/// <summary>Published as a batch is purged: whatever keeps it in memory (live progress, history) forgets it.</summary>
public sealed record BatchForgotten(long BatchId) : ICofiMessage, IWithBatchId;

/// <summary>Published as a prune goes on: batches purged of those it took, and rows deleted so far, the by-age rows included.</summary>
public sealed record BatchPruneProgress(int BatchesPurged, int Batches, long RowsDeleted);

/// <summary>Published after each chunk a purge deletes: the batch's rows deleted so far.</summary>
public sealed record BatchPurgeProgress(long BatchId, long RowsDeleted) : IWithBatchId;

/// <summary>Published on the coordinator that now runs a batch: at its start, on resume, and after a coordinator took over.</summary>
public sealed record BatchSupervising(long BatchId, string Input) : IWithBatchId;
