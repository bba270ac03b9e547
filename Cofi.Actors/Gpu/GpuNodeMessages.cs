using Akka.Actor;
using Cofi.Actors.Serialization;

namespace Cofi.Actors.Gpu;

public static class GpuNodeCommands
{
    /// <summary>A batch wants this node's machines: a GpuWorker per machine, pulling from <see cref="Stages"/>.</summary>
    /// <param name="Priority">how the batch's calls rank for the machines' slots (higher first); <paramref name="Weight"/>: its share among equal priorities.</param>
    public sealed record Attach(long BatchId, IReadOnlyDictionary<string, IActorRef> Stages, IActorRef Supervisor, int Priority = 0, double Weight = 1) : ICofiMessage;

    /// <summary>The batch's priority or weight changed: its workers here rank their calls by the new ones.</summary>
    public sealed record Rerank(long BatchId, int Priority, double Weight) : ICofiMessage;

    /// <summary>Asked of every GPU node by an operator's drain: the one of that name drains and leaves, all answer with their name.</summary>
    public sealed record Leave(string Node) : ICofiMessage;

    /// <summary>Take no new work, finish what is in flight, then leave the cluster.</summary>
    public sealed record Drain : ICofiMessage
    {
        public static readonly Drain Instance = new();
    }
}

public static class GpuNodeQueries
{
    /// <summary>Answered with <see cref="GpuNodeInfo"/>: the node's name, its machines, their slots and breakers.</summary>
    public sealed record Describe : ICofiMessage
    {
        public static readonly Describe Instance = new();
    }
}

/// <summary>One GPU machine as its node sees it: the breaker (closed, half_open, open; the worst over the running batches) and slots per stage.</summary>
public sealed record GpuMachineInfo(string Machine, string Breaker, IReadOnlyDictionary<string, int> SlotsByStage, IReadOnlyDictionary<string, int> BusyByStage) : ICofiMessage;

/// <summary>A GPU node's answer to <see cref="GpuNodeQueries.Describe"/>.</summary>
public sealed record GpuNodeInfo(string Node, string Address, bool Draining, IReadOnlyList<GpuMachineInfo> Machines) : ICofiMessage;

/// <summary>The node's answer to <see cref="GpuNodeCommands.Drain"/>, once every worker is idle.</summary>
public sealed record GpuNodeDrained(string Node, int Machines) : ICofiMessage;

/// <summary>A GPU node's answer to <see cref="GpuNodeCommands.Leave"/>: its name, and whether it is the one leaving.</summary>
public sealed record GpuNodeIdentity(string Node, string Address, bool Leaving) : ICofiMessage;

/// <summary>A worker has withdrawn its slots and has nothing left in flight.</summary>
public sealed record GpuWorkerDrained(string Machine);
