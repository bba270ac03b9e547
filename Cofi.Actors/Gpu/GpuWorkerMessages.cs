using Akka.Actor;
using Cofi.Actors.Executors;
using Cofi.Actors.Serialization;

namespace Cofi.Actors.Gpu;

public static class GpuWorkerCommands
{
    /// <summary>Run one call on this machine and report back to <see cref="StageRef"/>.</summary>
    public sealed record Run(StageCall Call, IActorRef StageRef) : ICofiMessage;

    /// <summary>A stage was started again and lost its record of this worker's free slots: offer them again.</summary>
    public sealed record Reattach(string Stage, IActorRef StageRef) : ICofiMessage;

    /// <summary>Every file of the stage is settled: in barrier mode the machine releases the stage (unloads its model).</summary>
    public sealed record StageFinished(string Stage) : ICofiMessage;

    /// <summary>The batch's priority or weight changed: its calls waiting for the machine's slots rank by the new ones.</summary>
    public sealed record Rerank(int Priority, double Weight) : ICofiMessage;

    /// <summary>Another attempt at the file answered first: abort this call (its report no longer matters).</summary>
    public sealed record Cancel(string Stage, int FileId, int Attempt) : ICofiMessage;

    /// <summary>Withdraw every offered slot, finish the calls in flight, then tell the parent.</summary>
    public sealed record Drain
    {
        public static readonly Drain Instance = new();
    }
}

/// <summary>
/// Published on the event stream by each batch's worker on a GPU machine when the machine's circuit changes: Open,
/// HalfOpen (probing) or Closed. The breaker is the machine's, so every batch working on it hears the change. A GPU
/// node that is not a coordinator sends it on to the coordinator running the batch (see <see cref="GpuNode"/>).
/// </summary>
public sealed record MachineCircuitChanged(long BatchId, string Machine, string State, DateTimeOffset At) : ICofiMessage;

/// <summary>Published on the event stream for each barrier-mode prepare or release call a machine made.</summary>
public sealed record MachineStageCall(long BatchId, string Machine, string Stage, string Call, bool Succeeded, string? Reason, DateTimeOffset At);
