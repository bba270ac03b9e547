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

    /// <summary>Withdraw every offered slot, finish the calls in flight, then tell the parent.</summary>
    public sealed record Drain
    {
        public static readonly Drain Instance = new();
    }
}
