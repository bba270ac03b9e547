using Akka.Actor;
using Cofi.Actors.Executors;

namespace Cofi.Actors.Gpu;

public static class GpuWorkerCommands
{
    /// <summary>Run one call on this machine and report back to <see cref="StageRef"/>.</summary>
    public sealed record Run(StageCall Call, IActorRef StageRef);

    /// <summary>A stage was started again and lost its record of this worker's free slots: offer them again.</summary>
    public sealed record Reattach(string Stage, IActorRef StageRef);

    /// <summary>Every file of the stage is settled: in barrier mode the machine releases the stage (unloads its model).</summary>
    public sealed record StageFinished(string Stage);
}

/// <summary>Published on the event stream when a GPU machine's circuit changes: Open, HalfOpen (probing) or Closed.</summary>
public sealed record MachineCircuitChanged(long BatchId, string Machine, string State, DateTimeOffset At);

/// <summary>Published on the event stream for each barrier-mode prepare or release call a machine made.</summary>
public sealed record MachineStageCall(long BatchId, string Machine, string Stage, string Call, bool Succeeded, string? Reason, DateTimeOffset At);
