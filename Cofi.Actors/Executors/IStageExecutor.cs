namespace Cofi.Actors.Executors;

/// <summary>Runs stage calls: a model service, an LLM endpoint, a builtin rule set or a simulation of them.</summary>
public interface IStageExecutor
{
    /// <summary>Never throws for a file's own problems: they come back as a failure outcome.</summary>
    Task<CallOutcome> ExecuteAsync(StageCall call, CancellationToken cancellationToken);
}
