namespace Cofi.Actors.Batches;

public enum RetryPhase
{
    None,
    /// <summary>A retry-failed request is recorded; it starts once every stage is ready.</summary>
    Pending,
    /// <summary>The failed files are being collected and requeued.</summary>
    UnderWay,
}

/// <summary>
/// What a batch's supervisor knows: what the journal holds (how the batch ended, the last retry-failed request it
/// carried out) and what this incarnation has done (stages started, paused, a retry waiting or under way).
/// </summary>
public sealed record BatchRunState(BatchEvents.Finished? Finished, int RetriesDone, bool Started, bool Paused, RetryPhase Retry, string? RetryStage,
    bool RetryQuarantined = false)
{
    public static BatchRunState Initial(bool paused, string? retryStage, bool retryQuarantined = false) =>
        new(null, 0, false, paused, RetryPhase.None, retryStage, retryQuarantined);

    public BatchRunState Apply(IBatchEvent @event) => @event switch
    {
        BatchEvents.Finished e => this with { Finished = e },
        BatchEvents.RetryStarted e => this with { Finished = null, RetriesDone = e.Request },
        _ => this,
    };

    /// <summary>The manager has recorded more retry-failed requests than this batch carried out.</summary>
    public bool OwesRetry(int requests) => requests > RetriesDone;

    /// <param name="stage">only the files failed at this stage; null: every failed file.</param>
    /// <param name="includeQuarantined">quarantined files are taken back too.</param>
    public BatchRunState RetryRecorded(string? stage, bool includeQuarantined) =>
        this with { Retry = RetryPhase.Pending, RetryStage = stage, RetryQuarantined = includeQuarantined };

    public BatchRunState RetryBegun() => this with { Retry = RetryPhase.UnderWay };

    public BatchRunState RetryEnded() => this with { Retry = RetryPhase.None };

    public BatchRunState DistributionStarted() => this with { Started = true };

    /// <summary>What to do once every stage has recovered for the first time.</summary>
    public BatchStart WhenAllReady() => Retry switch
    {
        RetryPhase.Pending => BatchStart.Retry,
        RetryPhase.UnderWay => BatchStart.Wait,
        _ => BatchStart.Distribution,
    };
}

public enum BatchStart
{
    Distribution,
    Retry,
    Wait,
}
