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

    /// <summary>Stop handing out work until <see cref="Unpause"/>; calls already out still finish and are recorded.</summary>
    public sealed record Pause : IStageCommand
    {
        public static readonly Pause Instance = new();
    }

    /// <summary>A paused batch goes on: hand out work again.</summary>
    public sealed record Unpause : IStageCommand
    {
        public static readonly Unpause Instance = new();
    }

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

    /// <summary>
    /// The process is stopping: hand out no new work from now on (not recorded, unlike <see cref="Pause"/>). Answered
    /// with <see cref="StageReplies.Held"/> once no call is in flight and every outcome is recorded.
    /// </summary>
    public sealed record Hold : IStageCommand
    {
        public static readonly Hold Instance = new();
    }
}

public static class StageReplies
{
    public sealed record FailedFiles(string Stage, IReadOnlyList<int> FileIds);

    public sealed record Requeued(string Stage, int Count);

    /// <summary>The stage hands out nothing, has no call in flight, and has recorded every outcome.</summary>
    public sealed record Held(string Stage);

    /// <summary>The stage's calls running longest, longest first, and its backup attempts and calls so far.</summary>
    public sealed record Stragglers(StageSpeculation Figures, IReadOnlyList<Straggler> Calls);
}

public static class StageEvents
{
    /// <summary>A group of files settled at this stage, recorded together in one journal event.</summary>
    public sealed record OutcomesRecorded(long BatchId, string Stage, IReadOnlyList<FileRecord> Records, DateTimeOffset At) : IStageEvent;

    /// <summary>These files' records were dropped (retry-failed): they are unsettled here again.</summary>
    /// <param name="Failed">how many of the files had failed here (the others were skipped, or are metadata's summaries)</param>
    public sealed record FilesRequeued(long BatchId, string Stage, IReadOnlyList<int> FileIds, DateTimeOffset At, int Failed = 0) : IStageEvent;

    /// <summary>Every file of the batch is settled at this stage.</summary>
    public sealed record StageCompleted(long BatchId, string Stage, int Done, int Failed, int Skipped, DateTimeOffset At) : IStageEvent;
}

public static class StageQueries
{
    public sealed record GetCounts : IStageCommand
    {
        public static readonly GetCounts Instance = new();
    }

    /// <summary>Answered with <see cref="StageReplies.FailedFiles"/>: the files recorded as failed at this stage, quarantined ones when asked.</summary>
    public sealed record GetFailed(bool IncludeQuarantined = false) : IStageCommand
    {
        public static readonly GetFailed Instance = new();
    }

    /// <summary>Answered with <see cref="StageReplies.Stragglers"/>: at most <see cref="Limit"/> of the calls running longest here.</summary>
    public sealed record GetStragglers(int Limit) : IStageCommand;
}

/// <summary>A stage's figures, for progress views and status queries.</summary>
public sealed record StageCounts(long BatchId, string Stage, int Done, int Failed, int Skipped, int InFlight, int Queued, int? Total, bool Completed)
{
    public int Settled => Done + Failed + Skipped;
}

/// <summary>
/// Published on the event stream after each recorded group, so views never query the database: the stage's counts,
/// the files just recorded (empty when nothing new was recorded) and how many calls each GPU machine has in flight.
/// </summary>
public sealed record StageProgress(StageCounts Counts, DateTimeOffset At,
    IReadOnlyList<FileRecord>? Recorded = null, IReadOnlyDictionary<string, int>? BusyByMachine = null);

/// <summary>Sent by a stage to its batch supervisor.</summary>
public static class StageSignals
{
    public sealed record Ready(string Stage, StageCounts Counts);

    /// <summary>The stage's counts after a change: the supervisor keeps them, for status queries and the batch's final record.</summary>
    public sealed record Progress(StageCounts Counts);

    public sealed record Finished(string Stage, StageCounts Counts);

    /// <summary>The batch cannot go on at all (no valid input, unreadable input).</summary>
    public sealed record Halted(string Stage, string Reason);
}
