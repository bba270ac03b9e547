using System.Threading.Channels;
using Cofi.Actors.Batches;
using Cofi.Actors.Gpu;
using Cofi.Actors.Serialization;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Progress;

public static class ProgressCommands
{
    /// <summary>
    /// Subscribe to one batch (or every batch when <see cref="BatchId"/> is null). With a <see cref="LastEventId"/> the
    /// broadcaster still remembers, the frames after it are replayed; otherwise a snapshot comes first. Answered with
    /// <see cref="ProgressSubscription"/>.
    /// </summary>
    public sealed record Subscribe(long? BatchId, long? LastEventId);

    public sealed record Unsubscribe(Guid SubscriptionId);
}

/// <summary>
/// What one coordinator's broadcaster relays to the others over distributed pub-sub: its node's progress and batch
/// changes, and the breaker changes of the GPU machines working for its batches.
/// </summary>
public static class ProgressRelay
{
    public sealed record Stage(StageProgress Progress) : ICofiMessage;

    public sealed record Batch(BatchUpdated Update) : ICofiMessage;

    public sealed record Forgotten(BatchForgotten Batch) : ICofiMessage;

    /// <summary>For the coordinators' history keepers; the dashboard's frames do not carry breaker changes.</summary>
    public sealed record Circuit(MachineCircuitChanged Change) : ICofiMessage;
}

public static class ProgressQueries
{
    /// <summary>Answered with <see cref="ProgressFigures"/>.</summary>
    public sealed record GetFigures
    {
        public static readonly GetFigures Instance = new();
    }

    /// <summary>Answered with <see cref="MachineLoadList"/>: what the stages last reported about each GPU machine.</summary>
    public sealed record GetMachines
    {
        public static readonly GetMachines Instance = new();
    }

    /// <summary>Answered with <see cref="ProgressFrame"/>: a snapshot frame of one batch or every batch.</summary>
    public sealed record GetSnapshot(long? BatchId);
}

public static class FrameTypes
{
    public const string Snapshot = "snapshot";
    public const string Stage = "stage";
    public const string Batch = "batch";

    /// <summary>The batch was purged: a client drops it.</summary>
    public const string Purged = "purged";
}

/// <summary>A file just recorded at a stage, as a frame shows it in the live log.</summary>
public sealed record RecentFile(int FileId, string Name, string Status, string? Machine, string? Reason, long DurationMs);

/// <summary>
/// One message to subscribers. <see cref="Id"/> grows by one per frame across the broadcaster (the SSE event id).
/// A snapshot carries every stage and batch it knows; a stage frame the latest counts of one stage with the files
/// recorded since the previous frame (at most <c>recent-files</c>); a batch frame one batch's new status; a purged
/// frame names a batch that is gone.
/// <see cref="OldestEventAt"/> is when the oldest progress event folded into this frame was published.
/// </summary>
public sealed record ProgressFrame(
    long Id,
    string Type,
    long? BatchId,
    IReadOnlyList<StageCounts> Stages,
    IReadOnlyList<BatchSummary> Batches,
    IReadOnlyList<RecentFile> Files,
    int Events,
    DateTimeOffset At,
    DateTimeOffset? OldestEventAt);

public sealed record ProgressSubscription(Guid Id, ChannelReader<ProgressFrame> Frames, bool Resumed);

/// <summary>What the broadcaster has done since it started.</summary>
public sealed record ProgressFigures(long EventsIn, long FramesOut, long EventsCoalesced, long FramesDropped, int Subscribers);

/// <summary>One GPU machine as the stages last reported it.</summary>
public sealed record MachineLoad(string Machine, IReadOnlyDictionary<string, int> BusyByStage, int SlotsBusy, double FilesPerMinute, long FilesDone, long Errors);

public sealed record MachineLoadList(IReadOnlyList<MachineLoad> Machines);
