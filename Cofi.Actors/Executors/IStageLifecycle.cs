namespace Cofi.Actors.Executors;

/// <summary>
/// A stage executor with calls around a machine's share of a stage in barrier mode: prepare before its first file
/// (e.g. load the stage's model) and release after its last (unload it).
/// </summary>
public interface IStageLifecycle
{
    bool HasLifecycle { get; }

    Task<CallOutcome> PrepareAsync(long batchId, CancellationToken cancellationToken);

    Task<CallOutcome> ReleaseAsync(long batchId, CancellationToken cancellationToken);
}
