namespace Cofi.Actors.Stages;

/// <summary>A call running at a stage right now, for the view of a batch's longest running calls.</summary>
/// <param name="File">the file's name.</param>
/// <param name="RunningForMs">how long it has run when the stage was asked.</param>
public sealed record Straggler(string Stage, int FileId, string File, int Attempt, string Machine, DateTimeOffset StartedAt, long RunningForMs,
    SpeculationState Speculation);

/// <summary>A stage's backup attempts made so far, and the calls it made in all.</summary>
public sealed record StageSpeculation(string Stage, int Backups, int Calls);
