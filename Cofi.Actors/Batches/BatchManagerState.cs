using System.Collections.Immutable;
using Cofi.Actors.Serialization;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Batches;

/// <summary>One batch as the manager knows it.</summary>
/// <param name="RetryRequests">How many retry-failed requests the batch has had; its supervisor carries out those it has not yet.</param>
public sealed record BatchEntry(BatchSummary Summary, IReadOnlyList<StageCounts> FinalStages, int RetryRequests = 0)
{
    public bool IsUnfinished => Summary.Status is BatchStatus.Queued or BatchStatus.Running;
}

/// <summary>The queue of batches: what was submitted, what runs, what finished. Rebuilt from the journal.</summary>
/// <param name="AddedMachines">GPU machines an operator added at run time, on top of the configured ones.</param>
public sealed record BatchManagerState(ImmutableSortedDictionary<long, BatchEntry> Batches, ImmutableList<string>? AddedMachines = null) : ICofiMessage
{
    public static readonly BatchManagerState Empty = new(ImmutableSortedDictionary<long, BatchEntry>.Empty, ImmutableList<string>.Empty);

    public IReadOnlyList<string> Machines => AddedMachines ?? ImmutableList<string>.Empty;

    public long NextId => Batches.Count == 0 ? 1 : Batches.Keys.Last() + 1;

    public IEnumerable<BatchEntry> Running => Batches.Values.Where(b => b.Summary.Status == BatchStatus.Running);

    public BatchManagerState Apply(IBatchEvent @event) => @event switch
    {
        BatchEvents.Submitted e => this with
        {
            Batches = Batches.SetItem(e.BatchId, new BatchEntry(new BatchSummary(e.BatchId, e.Input, BatchStatus.Queued, null, e.At, null, null), [])),
        },
        BatchEvents.Started e => Update(e.BatchId, b => b with { Summary = b.Summary with { Status = BatchStatus.Running, StartedAt = e.At } }),
        BatchEvents.Finished e => Update(e.BatchId, b => new BatchEntry(b.Summary with { Status = e.Status, Reason = e.Reason, FinishedAt = e.At }, e.Stages, b.RetryRequests)),
        BatchEvents.RetryRequested e => Update(e.BatchId, b => b with
        {
            Summary = b.IsUnfinished ? b.Summary : b.Summary with { Status = BatchStatus.Queued, Reason = null, FinishedAt = null },
            RetryRequests = b.RetryRequests + 1,
        }),
        BatchEvents.MachineAdded e => this with { AddedMachines = Machines.Contains(e.Machine) ? AddedMachines : Machines.ToImmutableList().Add(e.Machine) },
        _ => this,
    };

    /// <summary>Decides a submission: resume the unfinished batch over the same input, or queue a new one.</summary>
    public (BatchAccepted Reply, BatchEvents.Submitted? Event) Decide(BatchCommands.Submit submit, DateTimeOffset now)
    {
        if (submit.ResumeUnfinished)
        {
            var unfinished = Batches.Values.LastOrDefault(b => b.IsUnfinished && b.Summary.Input == submit.Input);
            if (unfinished is not null) return (new BatchAccepted(unfinished.Summary.BatchId, true), null);
        }
        var id = NextId;
        return (new BatchAccepted(id, false), new BatchEvents.Submitted(id, submit.Input, now));
    }

    /// <summary>The queued batches that may start now, oldest first.</summary>
    public IEnumerable<long> Startable(int maxConcurrent) =>
        Batches.Values.Where(b => b.Summary.Status == BatchStatus.Queued)
            .Take(Math.Max(0, maxConcurrent - Running.Count()))
            .Select(b => b.Summary.BatchId);

    private BatchManagerState Update(long id, Func<BatchEntry, BatchEntry> change) =>
        Batches.TryGetValue(id, out var entry) ? this with { Batches = Batches.SetItem(id, change(entry)) } : this;
}
