using Cofi.Actors.Gpu;

namespace Cofi.Actors.Batches;

/// <summary>What the BatchManager (and the GPU membership) tell one batch's supervisor.</summary>
public static class SupervisorCommands
{
    /// <summary>The manager's status query, carrying what the manager knows of the batch; answered with <see cref="BatchReplies.Status"/>.</summary>
    public sealed record GetStatus(BatchSummary Summary);

    /// <summary>The manager's stragglers query; answered with <see cref="BatchStragglers"/>.</summary>
    public sealed record GetStragglers(int Limit);

    public sealed record Pause
    {
        public static readonly Pause Instance = new();
    }

    public sealed record Resume
    {
        public static readonly Resume Instance = new();
    }

    public sealed record Cancel
    {
        public static readonly Cancel Instance = new();
    }

    /// <summary>The manager's retry-failed request number <see cref="Request"/> for this running batch; <see cref="Stage"/>: only files failed there.</summary>
    public sealed record RetryFailed(int Request, string? Stage = null, bool IncludeQuarantined = false);

    /// <summary>An operator added a GPU machine: give it a worker for this batch, sharing the machine's slots and circuit breaker.</summary>
    public sealed record AddMachine(string Machine, SharedMachine Shared);

    /// <summary>The batch's priority or weight changed: its calls waiting for machines' slots rank by the new ones.</summary>
    public sealed record Rerank(int Priority, double Weight);

    /// <summary>An operator removed a GPU machine: its worker stops, and its calls in flight go back to the queue.</summary>
    public sealed record RemoveMachine(string Machine);

    /// <summary>A GPU node became unreachable or left the cluster: its calls in flight go back to the queue.</summary>
    public sealed record GpuNodeLost(string Address, string Why);

    /// <summary>The process is stopping: hold every stage; answered with <see cref="SupervisorReplies.Held"/>.</summary>
    public sealed record Hold(TimeSpan Grace);
}

public static class SupervisorReplies
{
    /// <summary>Every stage is held, or the grace ran out with <see cref="StillInFlight"/> calls not back.</summary>
    public sealed record Held(long BatchId, int StillInFlight, bool GraceRanOut);
}
