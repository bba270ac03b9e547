using Cofi.Actors.Configuration;

namespace Cofi.Actors.ReadModel;

/// <summary>What the projection writes beyond the fixed rows: file_start events, and how often stage_progress.</summary>
public sealed record ReadModelOptions(PipelineSettings Pipeline, bool LogFileStartEvents, int ProgressUpdateInterval);
