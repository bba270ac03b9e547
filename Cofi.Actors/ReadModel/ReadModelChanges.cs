namespace Cofi.Actors.ReadModel;

/// <summary>Rows waiting to be written in one transaction, together with the journal positions they bring the read model to.</summary>
public sealed class ReadModelChanges
{
    public List<LogRow> Log { get; } = new();

    public List<AttemptRow> Attempts { get; } = new();

    public List<ResultRow> Results { get; } = new();

    public Dictionary<(long BatchId, string File), DistributionChange> Distribution { get; } = new();

    public Dictionary<long, BatchStatusChange> Batches { get; } = new();

    public Dictionary<string, Checkpoint> Offsets { get; } = new(StringComparer.Ordinal);

    /// <summary>Purged batches: their batchStatus rows are deleted after the rows above are written.</summary>
    public HashSet<long> Purged { get; } = new();

    /// <summary>
    /// Per persistent actor, the position the read model must still be at for these rows to follow on: the write
    /// is refused when another writer (another coordinator, before or after a failover) has moved it meanwhile.
    /// </summary>
    public Dictionary<string, long> Expected { get; } = new(StringComparer.Ordinal);

    public int Rows => Log.Count + Attempts.Count + Results.Count + Distribution.Count + Batches.Count;

    public bool IsEmpty => Rows == 0 && Offsets.Count == 0;

    public DistributionChange FileDistribution(long batchId, string file)
    {
        if (!Distribution.TryGetValue((batchId, file), out var change)) Distribution[(batchId, file)] = change = new DistributionChange(batchId, file);
        return change;
    }

    public BatchStatusChange Batch(long batchId, DateTime at)
    {
        if (!Batches.TryGetValue(batchId, out var change)) Batches[batchId] = change = new BatchStatusChange(batchId, at);
        if (at > change.UpdatedAt) change.UpdatedAt = at;
        if (at < change.CreatedAt) change.CreatedAt = at;
        return change;
    }
}
