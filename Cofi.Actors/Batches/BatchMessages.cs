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
}

public interface IBatchCommand;

public interface IBatchQuery;

public interface IBatchEvent : ICofiMessage;

public static class BatchCommands
{
    /// <summary>Queue a batch over an input folder or manifest; with <see cref="ResumeUnfinished"/>, an unfinished batch over the same input is resumed instead.</summary>
    public sealed record Submit(string Input, bool ResumeUnfinished) : IBatchCommand;

    /// <summary>Answered with <see cref="BatchFinished"/> once the batch has finished (at once if it already has).</summary>
    public sealed record AwaitCompletion(long BatchId) : IBatchCommand;

    /// <summary>
    /// Process the batch's failed files again (retry-failed): a finished batch is queued again, a running one requeues
    /// them at once. Answered with <see cref="RetryFailedAccepted"/> or <see cref="BatchNotFound"/>.
    /// </summary>
    public sealed record RetryFailed(long BatchId) : IBatchCommand;

    /// <summary>
    /// A GPU machine that is only an HTTP endpoint joins: every running batch (and every later one) gets a GpuWorker
    /// for it. Answered with <see cref="MachineAccepted"/> or <see cref="MachineRejected"/>.
    /// </summary>
    public sealed record AddMachine(string Machine) : IBatchCommand, ICofiMessage;
}

public static class BatchQueries
{
    public sealed record GetBatches : IBatchQuery
    {
        public static readonly GetBatches Instance = new();
    }

    /// <summary>Answered with <see cref="BatchStatusReply"/> once the batch's stages have recovered, or <see cref="BatchNotFound"/>.</summary>
    public sealed record GetStatus(long BatchId) : IBatchQuery;
}

public static class BatchEvents
{
    public sealed record Submitted(long BatchId, string Input, DateTimeOffset At) : IBatchEvent;

    public sealed record Started(long BatchId, DateTimeOffset At) : IBatchEvent;

    public sealed record Finished(long BatchId, BatchStatus Status, string? Reason, IReadOnlyList<StageCounts> Stages, DateTimeOffset At) : IBatchEvent;

    /// <summary>The manager's record of a retry-failed request: a finished batch is queued again.</summary>
    public sealed record RetryRequested(long BatchId, DateTimeOffset At) : IBatchEvent;

    /// <summary>The batch supervisor's record that it carried out retry-failed request number <see cref="Request"/>.</summary>
    public sealed record RetryStarted(long BatchId, int Request, DateTimeOffset At) : IBatchEvent;

    /// <summary>An operator added a GPU machine that is only an HTTP endpoint.</summary>
    public sealed record MachineAdded(string Machine, DateTimeOffset At) : IBatchEvent;
}

public sealed record BatchAccepted(long BatchId, bool Resumed);

public sealed record BatchSummary(long BatchId, string Input, BatchStatus Status, string? Reason, DateTimeOffset SubmittedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

public sealed record BatchList(IReadOnlyList<BatchSummary> Batches);

public sealed record BatchStatusReply(BatchSummary Batch, IReadOnlyList<StageCounts> Stages);

public sealed record BatchFinished(long BatchId, BatchStatus Status, string? Reason, IReadOnlyList<StageCounts> Stages, DateTimeOffset At);

public sealed record BatchNotFound(long BatchId);

public sealed record RetryFailedAccepted(long BatchId, bool WasFinished);

public sealed record MachineAccepted(string Machine, int RunningBatches) : ICofiMessage;

public sealed record MachineRejected(string Machine, string Reason) : ICofiMessage;

/// <summary>Published on the coordinator that now runs a batch: at its start, on resume, and after a coordinator took over.</summary>
public sealed record BatchSupervising(long BatchId, string Input);
