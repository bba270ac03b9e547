using Akka.Actor;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Gpu;

/// <summary>
/// What every running batch's worker on one GPU machine shares: the machine's slots and its circuit breaker.
/// Handed to workers in their Props, in the process that owns them; never sent over the wire.
/// </summary>
public sealed record SharedMachine(IActorRef Slots, MachineCircuit Circuit)
{
    /// <summary>The machine's slots, as a child of <paramref name="owner"/>, and its circuit breaker.</summary>
    public static SharedMachine Create(IActorContext owner, string machine, PipelineSettings pipeline, CircuitBreakerSettings breaker, TimeProvider clock) =>
        new(owner.ActorOf(MachineSlots.Props(pipeline), MachineSlots.NameFor(machine)), new MachineCircuit(machine, breaker, clock));
}
