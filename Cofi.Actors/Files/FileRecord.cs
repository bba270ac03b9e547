namespace Cofi.Actors.Files;

/// <summary>
/// What a stage recorded for one file: the outcome, its result or reason, and the attempt that settled it.
/// <see cref="History"/> holds every attempt of the file at this stage (transient failures included), in order.
/// </summary>
public sealed record FileRecord(
    int FileId,
    string Name,
    FileStatus Status,
    string? Result,
    string? Reason,
    int Attempts,
    string? Machine,
    long DurationMs,
    IReadOnlyList<AttemptRecord>? History = null);

/// <summary>One call of a file at a stage: where it ran, how it ended, how long it took, when it ended.</summary>
public sealed record AttemptRecord(int Attempt, string Machine, AttemptOutcome Outcome, string? Error, long DurationMs, DateTimeOffset At);

public enum AttemptOutcome
{
    Done,
    Skipped,
    TransientFailure,
    PermanentFailure,
}
