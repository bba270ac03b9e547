using Cofi.Actors.Serialization;

namespace Cofi.Actors.Operations;

/// <summary>What an operator's command line asks of the cluster, through any Cofi node's <see cref="ClusterAdmin"/>.</summary>
public static class AdminCommands
{
    /// <summary>Drain the GPU node of that name (it takes no new work and finishes what it has), then let it leave.</summary>
    public sealed record DrainNode(string Node) : ICofiMessage;
}

public static class AdminReplies
{
    /// <summary>The node is draining; <see cref="NodeLeft"/> follows once it is out of the cluster.</summary>
    public sealed record Draining(string Node, string Address) : ICofiMessage;

    public sealed record NodeLeft(string Node, string Address) : ICofiMessage;

    /// <summary>No GPU node answered to that name; <see cref="Known"/> are the names that did answer.</summary>
    public sealed record NodeNotFound(string Node, IReadOnlyList<string> Known) : ICofiMessage;
}
