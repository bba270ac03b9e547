using Akka.Actor;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Gpu;

/// <summary>
/// One GPU machine's slots, per stage, shared by the workers every running batch has on it: a worker asks for a
/// slot before each call and hands it back when the call ends, so the calls at the machine never exceed its slots
/// however many batches run. Waiting calls are granted by batch priority, then fair share (<see cref="SlotQueue{T}"/>).
/// A worker that stops hands back what it held.
/// </summary>
public sealed class MachineSlots : ReceiveActor
{
    private readonly Dictionary<string, SlotQueue<(IActorRef Worker, long Token)>> _stages;
    // What each worker holds now, so that a worker that stops gives it back.
    private readonly Dictionary<IActorRef, List<(string Stage, long BatchId)>> _held = new();

    public MachineSlots(PipelineSettings pipeline)
    {
        _stages = pipeline.GpuStages.ToDictionary(s => s.Name, s => new SlotQueue<(IActorRef, long)>(s.Slots));
        Receive<MachineSlotCommands.Rank>(m =>
        {
            foreach (var queue in _stages.Values) queue.Rank(m.BatchId, m.Priority, m.Weight);
        });
        Receive<MachineSlotCommands.Acquire>(m =>
        {
            if (!_stages.TryGetValue(m.Stage, out var queue))
            {
                Sender.Tell(new MachineSlotReplies.Granted(m.Token));
                return;
            }
            if (!_held.ContainsKey(Sender))
            {
                _held[Sender] = new List<(string, long)>();
                Context.Watch(Sender);
            }
            if (queue.Request(m.BatchId, (Sender, m.Token))) Hold(Sender, m.Stage, m.BatchId, m.Token);
        });
        Receive<MachineSlotCommands.Release>(m =>
        {
            if (!_stages.TryGetValue(m.Stage, out var queue)) return;
            if (_held.TryGetValue(Sender, out var held)) held.Remove((m.Stage, m.BatchId));
            Grant(m.Stage, queue.Release(m.BatchId));
        });
        Receive<Terminated>(m =>
        {
            if (!_held.Remove(m.ActorRef, out var held)) return;
            foreach (var queue in _stages.Values) queue.Withdraw(call => call.Worker.Equals(m.ActorRef));
            foreach (var (stage, batchId) in held) Grant(stage, _stages[stage].Release(batchId));
        });
    }

    public static Props Props(PipelineSettings pipeline) => Akka.Actor.Props.Create(() => new MachineSlots(pipeline));

    /// <summary>The child name of a machine's slots.</summary>
    public static string NameFor(string machine) => $"slots-{Uri.EscapeDataString(machine)}";

    private void Grant(string stage, IReadOnlyList<(long BatchId, (IActorRef Worker, long Token) Call)> granted)
    {
        foreach (var (batchId, (worker, token)) in granted) Hold(worker, stage, batchId, token);
    }

    private void Hold(IActorRef worker, string stage, long batchId, long token)
    {
        if (_held.TryGetValue(worker, out var held)) held.Add((stage, batchId));
        worker.Tell(new MachineSlotReplies.Granted(token));
    }
}

public static class MachineSlotCommands
{
    /// <summary>A call of batch <see cref="BatchId"/> at <see cref="Stage"/> wants a slot; answered with <see cref="MachineSlotReplies.Granted"/> when it has one.</summary>
    public sealed record Acquire(string Stage, long BatchId, long Token);

    /// <summary>The call ended: its slot is free for the next.</summary>
    public sealed record Release(string Stage, long BatchId);

    /// <summary>The batch's priority (higher first) and weight (its share among equal priorities).</summary>
    public sealed record Rank(long BatchId, int Priority, double Weight);
}

public static class MachineSlotReplies
{
    public sealed record Granted(long Token);
}
