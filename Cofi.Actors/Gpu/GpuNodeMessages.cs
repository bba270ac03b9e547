using Akka.Actor;
using Cofi.Actors.Serialization;

namespace Cofi.Actors.Gpu;

public static class GpuNodeCommands
{
    /// <summary>A batch wants this node's machines: a GpuWorker per machine, pulling from <see cref="Stages"/>.</summary>
    public sealed record Attach(long BatchId, IReadOnlyDictionary<string, IActorRef> Stages, IActorRef Supervisor) : ICofiMessage;

    /// <summary>Asked of every GPU node by an operator's drain: the one of that name drains and leaves, all answer with their name.</summary>
    public sealed record Leave(string Node) : ICofiMessage;

    /// <summary>Take no new work, finish what is in flight, then leave the cluster.</summary>
    public sealed record Drain : ICofiMessage
    {
        public static readonly Drain Instance = new();
    }
}

/// <summary>The node's answer to <see cref="GpuNodeCommands.Drain"/>, once every worker is idle.</summary>
public sealed record GpuNodeDrained(string Node, int Machines) : ICofiMessage;

/// <summary>A GPU node's answer to <see cref="GpuNodeCommands.Leave"/>: its name, and whether it is the one leaving.</summary>
public sealed record GpuNodeIdentity(string Node, string Address, bool Leaving) : ICofiMessage;

/// <summary>A worker has withdrawn its slots and has nothing left in flight.</summary>
public sealed record GpuWorkerDrained(string Machine);
