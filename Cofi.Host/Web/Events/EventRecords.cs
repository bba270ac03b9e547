using Cofi.Actors.ReadModel;

namespace Cofi.Host.Web.Events;

/// <summary>A <c>batchExecutionLog</c> row: <see cref="Payload"/> is the result, the error with its request, or the stage's counts.</summary>
public sealed record BatchEvent(
    long Id,
    long BatchId,
    string Stage,
    string Type,
    string? FileName,
    string? Status,
    int? TotalFiles,
    int? ProcessedFiles,
    string? Payload,
    DateTimeOffset At);

public sealed record EventPage(int Page, int PageSize, int Total, IReadOnlyList<BatchEvent> Items);

/// <param name="Status">the rows of one status only, e.g. <c>quarantined</c> among the file errors.</param>
public sealed record EventFilter(string? Stage, string? Type, string? File, string? Status = null);

/// <summary>One page of rows read after a cursor: <see cref="Next"/> is the cursor for the page after it; <see cref="Done"/>, no more will come.</summary>
public sealed record CursorPage<T>(IReadOnlyList<T> Items, long Next, bool Done);

/// <summary>A file that failed at a stage (and has not been done there since), with why.</summary>
public sealed record FailedFile(long Id, string Stage, string? File, string? Reason, DateTimeOffset At, bool Quarantined);

/// <summary>A <c>fileDistribution</c> row: the GPU machine that first did the file, and the model stages done.</summary>
public sealed record BatchFile(string Name, string? Machine, IReadOnlyList<string> DoneStages);

public sealed record FilePage(int Page, int PageSize, int Total, IReadOnlyList<BatchFile> Items);

/// <summary>A <c>processing_logs</c> row: one call of the file at a stage, with what was sent and what came back.</summary>
public sealed record TimelineAttempt(int Attempt, string? Machine, string Status, string? Error, string? Request, string? Response,
    long DurationMs, DateTimeOffset At, int? StatusCode = null);

/// <summary>One stage of a file's way: how it ended there (its log entry) and every attempt.</summary>
public sealed record TimelineStep(string Stage, string? Type, string? Status, DateTimeOffset? At, string? Payload, IReadOnlyList<TimelineAttempt> Attempts);

public sealed record FileTimeline(long BatchId, string Name, IReadOnlyList<TimelineStep> Stages);

/// <summary>The event types of <c>batchExecutionLog</c>; a file skipped at a stage is a <c>file_complete</c> with status <c>skipped</c>.</summary>
public static class EventTypes
{
    public static readonly IReadOnlyList<string> All =
    [
        ReadModelProjection.EventTypes.StageStart,
        ReadModelProjection.EventTypes.FileStart,
        ReadModelProjection.EventTypes.FileComplete,
        ReadModelProjection.EventTypes.FileError,
        ReadModelProjection.EventTypes.StageProgress,
        ReadModelProjection.EventTypes.StageComplete,
    ];
}
