namespace Cofi.Actors.Files;

/// <summary>What a stage recorded for one file: the outcome, its result or reason, and the attempt that settled it.</summary>
public sealed record FileRecord(
    int FileId,
    string Name,
    FileStatus Status,
    string? Result,
    string? Reason,
    int Attempts,
    string? Machine,
    long DurationMs);
