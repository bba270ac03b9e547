using Akka.Actor;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Serialization;

namespace Cofi.Actors.Stages;

public interface IWithBatchId
{
    long BatchId { get; }
}

/// <summary>A command to a StageActor; some come from GPU workers on other nodes.</summary>
public interface IStageCommand : ICofiMessage;

public interface IStageEvent : IWithBatchId, ICofiMessage
{
    string Stage { get; }
}

public static class StageCommands
{
    /// <summary>Files handed on by the previous stage. Idempotent: a file already known here is not queued twice.</summary>
    public sealed record Admit(IReadOnlyList<FileWork> Files) : IStageCommand;

    /// <summary>The previous stage has handed on every file: <see cref="Total"/> in all.</summary>
    public sealed record UpstreamCompleted(int Total) : IStageCommand;

    /// <summary>A worker offers <see cref="Slots"/> more concurrent calls for this stage.</summary>
    public sealed record Pull(IActorRef Worker, string Machine, int Slots) : IStageCommand;

    /// <summary>A draining worker takes back its free slots; its calls in flight still report.</summary>
    public sealed record Withdraw(IActorRef Worker) : IStageCommand;

    /// <summary>A GPU node became unreachable or left: its workers' calls in flight go back to the queue.</summary>
    public sealed record NodeLost(string Address) : IStageCommand;

    /// <summary>A worker's answer for one assigned call; it also hands the call's slot back, unless the call was declined.</summary>
    public sealed record Report(int FileId, int Attempt, CallOutcome Outcome, string Machine, long DurationMs) : IStageCommand;

    /// <summary>The worker's machine takes no new work (its circuit opened): its offered slots are withdrawn.</summary>
    public sealed record Suspend(IActorRef Worker) : IStageCommand;

    /// <summary>The worker's machine takes work again: it now has exactly <see cref="Slots"/> free slots for this stage.</summary>
    public sealed record Resume(IActorRef Worker, string Machine, int Slots) : IStageCommand;

    /// <summary>Forget these files' records here so they are processed again (retry-failed). Answered with <see cref="StageReplies.Requeued"/>.</summary>
    public sealed record Requeue(IReadOnlyList<int> FileIds) : IStageCommand;
}

public static class StageReplies
{
    public sealed record FailedFiles(string Stage, IReadOnlyList<int> FileIds);

    public sealed record Requeued(string Stage, int Count);
}

public static class StageEvents
{
    /// <summary>A group of files settled at this stage, recorded together in one journal event.</summary>
    public sealed record OutcomesRecorded(long BatchId, string Stage, IReadOnlyList<FileRecord> Records, DateTimeOffset At) : IStageEvent;

    /// <summary>These files' records were dropped (retry-failed): they are unsettled here again.</summary>
    public sealed record FilesRequeued(long BatchId, string Stage, IReadOnlyList<int> FileIds, DateTimeOffset At) : IStageEvent;

    /// <summary>Every file of the batch is settled at this stage.</summary>
    public sealed record StageCompleted(long BatchId, string Stage, int Done, int Failed, int Skipped, DateTimeOffset At) : IStageEvent;
}

public static class StageQueries
{
    public sealed record GetCounts : IStageCommand
    {
        public static readonly GetCounts Instance = new();
    }

    /// <summary>Answered with <see cref="StageReplies.FailedFiles"/>: the files recorded as failed at this stage.</summary>
    public sealed record GetFailed : IStageCommand
    {
        public static readonly GetFailed Instance = new();
    }
}

/// <summary>A stage's figures, for progress views and status queries.</summary>
public sealed record StageCounts(long BatchId, string Stage, int Done, int Failed, int Skipped, int InFlight, int Queued, int? Total, bool Completed)
{
    public int Settled => Done + Failed + Skipped;
}

/// <summary>Published on the event stream after each recorded group, so views never query the database.</summary>
public sealed record StageProgress(StageCounts Counts, DateTimeOffset At);

/// <summary>Sent by a stage to its batch supervisor.</summary>
public static class StageSignals
{
    public sealed record Ready(string Stage, StageCounts Counts);

    public sealed record Finished(string Stage, StageCounts Counts);

    /// <summary>The batch cannot go on at all (no valid input, unreadable input).</summary>
    public sealed record Halted(string Stage, string Reason);
}
