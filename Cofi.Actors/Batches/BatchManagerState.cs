using System.Collections.Immutable;
using Cofi.Actors.Serialization;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Batches;

/// <summary>One batch as the manager knows it.</summary>
/// <param name="RetryRequests">How many retry-failed requests the batch has had; its supervisor carries out those it has not yet.</param>
/// <param name="RetryStage">the stage the latest retry-failed request named; null: every stage.</param>
/// <param name="RetryQuarantined">the latest retry-failed request takes quarantined files back too.</param>
public sealed record BatchEntry(BatchSummary Summary, IReadOnlyList<StageCounts> FinalStages, int RetryRequests = 0, string? RetryStage = null,
    bool RetryQuarantined = false)
{
    public bool IsUnfinished => Summary.Status is BatchStatus.Queued or BatchStatus.Running or BatchStatus.Paused;
}

/// <summary>The first answer to a submission with an idempotency key, and what that submission asked for.</summary>
public sealed record SubmitKey(long BatchId, string RequestHash, bool Resumed);

/// <summary>The queue of batches: what was submitted, what runs, what finished. Rebuilt from the journal.</summary>
/// <param name="AddedMachines">GPU machines an operator added at run time, on top of the configured ones.</param>
/// <param name="SubmitKeys">the idempotency keys submissions came with, by key.</param>
/// <param name="RemovedMachines">configured GPU machines an operator removed.</param>
/// <param name="PurgedBatches">the ids of purged batches (never given again), each true once its data is deleted.</param>
public sealed record BatchManagerState(ImmutableSortedDictionary<long, BatchEntry> Batches, ImmutableList<string>? AddedMachines = null,
    ImmutableDictionary<string, SubmitKey>? SubmitKeys = null, ImmutableList<string>? RemovedMachines = null,
    ImmutableSortedDictionary<long, bool>? PurgedBatches = null) : ICofiMessage
{
    public static readonly BatchManagerState Empty = new(ImmutableSortedDictionary<long, BatchEntry>.Empty, ImmutableList<string>.Empty,
        ImmutableDictionary<string, SubmitKey>.Empty);

    public IReadOnlyList<string> Machines => AddedMachines ?? ImmutableList<string>.Empty;

    public IReadOnlyList<string> Removed => RemovedMachines ?? ImmutableList<string>.Empty;

    /// <summary>The GPU machines the coordinator serves itself: the configured ones and those added, less those removed.</summary>
    public IReadOnlyList<string> Serving(IEnumerable<string> configured) =>
        configured.Concat(Machines).Distinct(StringComparer.OrdinalIgnoreCase).Where(m => !Removed.Contains(m, StringComparer.OrdinalIgnoreCase)).ToList();

    public ImmutableDictionary<string, SubmitKey> Keys => SubmitKeys ?? ImmutableDictionary<string, SubmitKey>.Empty;

    public ImmutableSortedDictionary<long, bool> Purged => PurgedBatches ?? ImmutableSortedDictionary<long, bool>.Empty;

    /// <summary>The purged batches whose data is not all deleted yet: an interrupted purge, finished after recovery.</summary>
    public IEnumerable<long> UnfinishedPurges => Purged.Where(p => !p.Value).Select(p => p.Key);

    public long NextId => Math.Max(Batches.Keys.LastOrDefault(), Purged.Keys.LastOrDefault()) + 1;

    /// <summary>The batches that hold a place among the concurrent ones: running or paused.</summary>
    public IEnumerable<BatchEntry> Running => Batches.Values.Where(b => b.Summary.Status is BatchStatus.Running or BatchStatus.Paused);

    public BatchManagerState Apply(IBatchEvent @event) => @event switch
    {
        BatchEvents.Submitted e => this with
        {
            Batches = Batches.SetItem(e.BatchId, new BatchEntry(
                new BatchSummary(e.BatchId, e.Input, BatchStatus.Queued, null, e.At, null, null, e.Name, e.Priority, e.Labels), [])),
            SubmitKeys = e.IdempotencyKey is null ? SubmitKeys : Keys.SetItem(e.IdempotencyKey, new SubmitKey(e.BatchId, e.RequestHash ?? "", Resumed: false)),
        },
        BatchEvents.ResumedBySubmit e => this with { SubmitKeys = Keys.SetItem(e.IdempotencyKey, new SubmitKey(e.BatchId, e.RequestHash, Resumed: true)) },
        BatchEvents.Started e => Update(e.BatchId, b => b with { Summary = b.Summary with { Status = BatchStatus.Running, StartedAt = e.At } }),
        BatchEvents.Paused e => Update(e.BatchId, b => b with { Summary = b.Summary with { Status = BatchStatus.Paused } }),
        BatchEvents.Resumed e => Update(e.BatchId, b => b with { Summary = b.Summary with { Status = BatchStatus.Running } }),
        BatchEvents.Finished e => Update(e.BatchId, b => new BatchEntry(b.Summary with { Status = e.Status, Reason = e.Reason, FinishedAt = e.At }, e.Stages, b.RetryRequests)),
        BatchEvents.RetryRequested e => Update(e.BatchId, b => b with
        {
            Summary = b.IsUnfinished ? b.Summary : b.Summary with { Status = BatchStatus.Queued, Reason = null, FinishedAt = null },
            RetryRequests = b.RetryRequests + 1,
            RetryStage = e.Stage,
            RetryQuarantined = e.IncludeQuarantined,
        }),
        BatchEvents.PriorityChanged e => Update(e.BatchId, b => b with { Summary = b.Summary with { Priority = e.Priority, Weight = e.Weight ?? b.Summary.Weight } }),
        BatchEvents.MachineAdded e => this with
        {
            AddedMachines = Machines.Contains(e.Machine) ? AddedMachines : Machines.ToImmutableList().Add(e.Machine),
            RemovedMachines = Removed.ToImmutableList().Remove(e.Machine),
        },
        BatchEvents.MachineRemoved e => this with
        {
            AddedMachines = Machines.ToImmutableList().Remove(e.Machine),
            RemovedMachines = Removed.Contains(e.Machine) ? RemovedMachines : Removed.ToImmutableList().Add(e.Machine),
        },
        BatchEvents.Purged e => this with
        {
            Batches = Batches.Remove(e.BatchId),
            SubmitKeys = Keys.RemoveRange(Keys.Where(k => k.Value.BatchId == e.BatchId).Select(k => k.Key)),
            PurgedBatches = Purged.SetItem(e.BatchId, false),
        },
        BatchEvents.PurgeCompleted e => this with { PurgedBatches = Purged.SetItem(e.BatchId, true) },
        _ => this,
    };

    /// <summary>
    /// Decides a submission: a known idempotency key gets its first answer again (or a conflict when it came with a
    /// different request); asked to resume, the unfinished batch over the same input; not asked to run again, nothing
    /// when the input's latest batch completed; else a new batch.
    /// </summary>
    public (ISubmitReply Reply, IBatchEvent? Event) Decide(BatchCommands.Submit submit, DateTimeOffset now)
    {
        var key = submit.IdempotencyKey;
        var hash = key is null ? null : SubmitFingerprint.Of(submit);
        if (key is not null && Keys.TryGetValue(key, out var first))
        {
            return first.RequestHash == hash
                ? (new BatchReplies.Accepted(first.BatchId, first.Resumed, Replayed: true), null)
                : (new BatchReplies.SubmitKeyConflict(key, first.BatchId), null);
        }
        var overInput = Batches.Values.Where(b => b.Summary.Input == submit.Input).ToList();
        if (submit.ResumeUnfinished && overInput.LastOrDefault(b => b.IsUnfinished) is { } unfinished)
        {
            var resumed = unfinished.Summary.BatchId;
            return (new BatchReplies.Accepted(resumed, true), key is null ? null : new BatchEvents.ResumedBySubmit(resumed, key, hash!, now));
        }
        if (!submit.Again && overInput.LastOrDefault() is { Summary.Status: BatchStatus.Completed } completed)
            return (new BatchReplies.AlreadyCompleted(completed.Summary, completed.FinalStages), null);
        var id = NextId;
        return (new BatchReplies.Accepted(id, false), new BatchEvents.Submitted(id, submit.Input, now, submit.Name ?? BatchSummary.DefaultName(submit.Input),
            submit.Priority, submit.Labels is { Count: > 0 } labels ? labels : null, key, hash));
    }

    /// <summary>Why a pause, resume or cancel does not apply to the batch as it is now; null when it does.</summary>
    public string? Refusal(IBatchCommand command, long batchId)
    {
        var status = Batches[batchId].Summary.Status;
        var name = status.ToString().ToLowerInvariant();
        return command switch
        {
            BatchCommands.Pause when status != BatchStatus.Running => $"batch {batchId} is {name}; only a running batch can be paused",
            BatchCommands.Resume when status != BatchStatus.Paused => $"batch {batchId} is {name}; only a paused batch can be resumed",
            BatchCommands.Cancel when !Batches[batchId].IsUnfinished => $"batch {batchId} is {name} already",
            _ => null,
        };
    }

    /// <summary>
    /// Why the batch cannot be purged (<see cref="BatchReplies.NotFound"/>, or <see cref="BatchReplies.ControlRefused"/> while it has
    /// not ended); null when it can, a batch purged before included.
    /// </summary>
    public ICofiMessage? PurgeRefusal(long batchId)
    {
        if (!Batches.TryGetValue(batchId, out var entry)) return Purged.ContainsKey(batchId) ? null : new BatchReplies.NotFound(batchId);
        return entry.IsUnfinished
            ? new BatchReplies.ControlRefused(batchId, $"batch {batchId} is {entry.Summary.Status.ToString().ToLowerInvariant()}; cancel it first")
            : null;
    }

    /// <summary>The batches that ended (completed, failed or cancelled) before <paramref name="cutoff"/>, oldest first: what a prune purges.</summary>
    public IReadOnlyList<BatchSummary> EndedBefore(DateTimeOffset cutoff) =>
        Batches.Values.Where(b => !b.IsUnfinished && b.Summary.FinishedAt < cutoff).Select(b => b.Summary).ToList();

    /// <summary>The queued batches that may start now: highest priority first, then oldest first.</summary>
    public IEnumerable<long> Startable(int maxConcurrent) =>
        Batches.Values.Where(b => b.Summary.Status == BatchStatus.Queued)
            .OrderByDescending(b => b.Summary.Priority).ThenBy(b => b.Summary.BatchId)
            .Take(Math.Max(0, maxConcurrent - Running.Count()))
            .Select(b => b.Summary.BatchId);

    private BatchManagerState Update(long id, Func<BatchEntry, BatchEntry> change) =>
        Batches.TryGetValue(id, out var entry) ? this with { Batches = Batches.SetItem(id, change(entry)) } : this;
}
