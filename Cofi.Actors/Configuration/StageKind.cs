namespace Cofi.Actors.Configuration;

public enum StageKind
{
    /// <summary>Scans and validates the input and registers the batch's files.</summary>
    Distribution,
    /// <summary>A model service on a GPU machine, called through that machine's GpuWorker.</summary>
    Gpu,
    /// <summary>Rules over earlier results that may skip a file's later stages.</summary>
    Rules,
    /// <summary>An LLM endpoint with a stage-wide concurrency limit.</summary>
    Llm,
    /// <summary>One final result per file combining every stage's result.</summary>
    Metadata,
}

public enum PipelineMode
{
    Streaming,
    Barrier,
}
