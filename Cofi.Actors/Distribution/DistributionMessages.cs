using Cofi.Actors.Inputs;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Distribution;

public static class DistributionCommands
{
    /// <summary>Hand every registered file on, then scan what is left of the input.</summary>
    public sealed record Start
    {
        public static readonly Start Instance = new();
    }

    /// <summary>Hand every registered file on again: a later stage restarted and rebuilds its queue.</summary>
    public sealed record Replay
    {
        public static readonly Replay Instance = new();
    }
}

public static class DistributionEvents
{
    /// <summary>Input entries scanned and validated, in scan order; an entry with an error failed at distribution.</summary>
    public sealed record FilesScanned(long BatchId, string Stage, IReadOnlyList<InputFile> Files, DateTimeOffset At) : IStageEvent;

    public sealed record ScanCompleted(long BatchId, string Stage, int Total, int Valid, DateTimeOffset At) : IStageEvent;

    /// <summary>The input as a whole could not be read; no file of the batch can go on.</summary>
    public sealed record ScanFailed(long BatchId, string Stage, string Reason, DateTimeOffset At) : IStageEvent;
}
