namespace Cofi.Actors.Files;

/// <summary>
/// What a stage recorded for one file: the outcome, its result or reason, and the attempt that settled it.
/// <see cref="History"/> holds every attempt of the file at this stage (transient failures included), in order.
/// <see cref="Quarantined"/>: it failed because its calls hung or dropped the connection on several machines; retry-failed
/// leaves it out unless asked to take it.
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
    IReadOnlyList<AttemptRecord>? History = null,
    bool Quarantined = false);

/// <summary>
/// One call of a file at a stage: where it ran, how it ended, how long it took, when it ended. Calls that went over
/// HTTP also keep the status code (none when no answer came) and the request and response bodies, cut to a bounded
/// size with a marker saying so (see <see cref="LoggedBody"/>).
/// </summary>
public sealed record AttemptRecord(
    int Attempt,
    string Machine,
    AttemptOutcome Outcome,
    string? Error,
    long DurationMs,
    DateTimeOffset At,
    int? StatusCode = null,
    string? Request = null,
    string? Response = null)
{
    public DateTimeOffset StartedAt => At - TimeSpan.FromMilliseconds(DurationMs);
}

public enum AttemptOutcome
{
    Done,
    Skipped,
    TransientFailure,
    PermanentFailure,
    /// <summary>Cancelled: another attempt at the file (a speculative backup, or the call it backed up) answered first.</summary>
    Superseded,
}
