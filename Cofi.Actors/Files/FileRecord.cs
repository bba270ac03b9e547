using Cofi.Actors.Executors;

namespace Cofi.Actors.Files;

/// <summary>
/// What a stage recorded for one file: the outcome, its result or reason, the attempt that settled it, and, for
/// calls over HTTP, every attempt made on the way (machine, status, duration, bounded request and response).
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
    IReadOnlyList<CallAttempt>? Calls = null);
