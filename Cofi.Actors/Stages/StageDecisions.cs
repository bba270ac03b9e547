using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;

namespace Cofi.Actors.Stages;

/// <summary>What to do with a call's outcome: record the file as settled, or try it again later.</summary>
public abstract record Decision
{
    public sealed record Record(FileRecord FileRecord) : Decision;

    public sealed record Retry(TimeSpan After) : Decision;
}

/// <summary>The pure part of a stage: turning outcomes into records or retries, and files that stopped upstream into skips.</summary>
public static class StageDecisions
{
    public static Decision Decide(StageSettings stage, FileWork file, int attempt, CallOutcome outcome, string machine, long durationMs, double jitter01)
    {
        FileRecord Settle(FileStatus status, string? result, string? reason) =>
            new(file.FileId, file.Name, status, result, reason, attempt, machine, durationMs);

        return outcome switch
        {
            CallOutcome.Completed c => new Decision.Record(Settle(FileStatus.Done, c.Result, null)),
            CallOutcome.Skipped s => new Decision.Record(Settle(FileStatus.Skipped, null, s.Reason)),
            CallOutcome.PermanentFailure p => new Decision.Record(Settle(FileStatus.Failed, null, p.Reason)),
            CallOutcome.TransientFailure t when attempt < stage.MaxAttempts =>
                new Decision.Retry(t.RetryAfter ?? stage.BackoffBefore(attempt + 1, jitter01)),
            CallOutcome.TransientFailure t => new Decision.Record(Settle(FileStatus.Failed, null,
                $"gave up after {attempt} attempts: {t.Reason}")),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "unknown call outcome"),
        };
    }

    /// <summary>
    /// Whether a transient failure may be the file's own doing: the call timed out, or the connection dropped while it
    /// ran. A refused connection, a 5xx or a 429 says something about the machine, not the file.
    /// </summary>
    public static bool IsFileHazard(CallOutcome.TransientFailure failure)
    {
        if (failure.Attempts.Count > 0 && failure.Attempts[^1].StatusCode is { } status) return status == 408;
        var reason = failure.Reason;
        if (reason.Contains("refused", StringComparison.OrdinalIgnoreCase)) return false;
        return reason.Contains("timed out", StringComparison.OrdinalIgnoreCase)
               || reason.Contains("no answer", StringComparison.OrdinalIgnoreCase)
               || reason.Contains("reset", StringComparison.OrdinalIgnoreCase)
               || reason.Contains("ended prematurely", StringComparison.OrdinalIgnoreCase)
               || reason.Contains("connection", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A file whose calls hung or dropped the connection on <paramref name="machines"/>: failed, and kept out of retry-failed.</summary>
    public static FileRecord Quarantine(FileWork file, int attempt, IReadOnlyCollection<string> machines, string machine, long durationMs, string lastReason) =>
        new(file.FileId, file.Name, FileStatus.Failed, null,
            $"quarantined: timed out or dropped the connection on {machines.Count} machines ({string.Join(", ", machines)}); last: {lastReason}",
            attempt, machine, durationMs, Quarantined: true);

    /// <summary>One call's attempt as it is kept in the file's history at this stage.</summary>
    public static AttemptRecord Attempt(int attempt, CallOutcome outcome, string machine, long durationMs, DateTimeOffset at) => outcome switch
    {
        CallOutcome.Completed => new AttemptRecord(attempt, machine, AttemptOutcome.Done, null, durationMs, at),
        CallOutcome.Skipped s => new AttemptRecord(attempt, machine, AttemptOutcome.Skipped, s.Reason, durationMs, at),
        CallOutcome.TransientFailure t => new AttemptRecord(attempt, machine, AttemptOutcome.TransientFailure, t.Reason, durationMs, at),
        CallOutcome.PermanentFailure p => new AttemptRecord(attempt, machine, AttemptOutcome.PermanentFailure, p.Reason, durationMs, at),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "unknown call outcome"),
    };

    /// <summary>A file that failed or was skipped upstream is skipped here, keeping the first reason.</summary>
    public static FileRecord PassThrough(FileWork file, Disposition disposition) =>
        new(file.FileId, file.Name, FileStatus.Skipped, null,
            disposition.Status == FileStatus.Failed ? $"failed at {disposition.Stage}: {disposition.Reason}" : disposition.Reason,
            0, null, 0);

    /// <summary>The file as the next stage receives it, after this stage's record.</summary>
    public static FileWork HandOn(string stage, FileWork file, FileRecord record) => HandOn(stage, file, SettledFile.Of(record));

    /// <summary>The file as the next stage receives it, after what this stage kept of it.</summary>
    public static FileWork HandOn(string stage, FileWork file, SettledFile record) => record.Status switch
    {
        FileStatus.Done => file.WithResult(stage, record.Result ?? "{}"),
        FileStatus.Failed => file with { Disposition = new Disposition(FileStatus.Failed, stage, record.Reason ?? "failed") },
        _ => file with { Disposition = file.Disposition ?? new Disposition(FileStatus.Skipped, stage, record.Reason ?? "skipped") },
    };
}
