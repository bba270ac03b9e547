namespace Cofi.Host.Web.Events;

/// <summary>One entry of a batch's event log (the names follow <c>batchExecutionLog</c>).</summary>
public sealed record BatchEvent(
    long Id,
    long BatchId,
    string Stage,
    string Type,
    int? FileId,
    string? FileName,
    string Status,
    string? Reason,
    int Attempts,
    string? Machine,
    long DurationMs,
    DateTimeOffset At,
    string? Payload);

public sealed record EventPage(int Page, int PageSize, int Total, IReadOnlyList<BatchEvent> Items);

public sealed record EventFilter(string? Stage, string? Type, string? File);

/// <summary>What Cofi sent for a file at one stage: the idempotency key and the file it read.</summary>
public sealed record StageRequest(string IdempotencyKey, string? Path);

/// <summary>One stage of a file's way through the pipeline.</summary>
public sealed record TimelineStep(string Stage, string Status, string? Reason, int Attempts, string? Machine, long DurationMs,
    DateTimeOffset RecordedAt, StageRequest Request, string? Response);

public sealed record FileTimeline(long BatchId, int FileId, string Name, string? Path, IReadOnlyList<TimelineStep> Stages);

public static class EventTypes
{
    public const string FileComplete = "file_complete";
    public const string FileError = "file_error";
    public const string FileSkipped = "file_skipped";
    public const string StageComplete = "stage_complete";

    public static readonly IReadOnlyList<string> All = [FileComplete, FileError, FileSkipped, StageComplete];
}

/// <summary>
/// A batch's event log and each file's timeline. Read from the journal today; the read model can take its place
/// behind this interface without the endpoints changing.
/// </summary>
public interface IBatchEventQuery
{
    /// <summary>Null when the batch has no recorded events at all.</summary>
    Task<EventPage?> EventsAsync(long batchId, EventFilter filter, int page, int pageSize, CancellationToken cancel);

    /// <summary>Null when the file is not part of the batch.</summary>
    Task<FileTimeline?> TimelineAsync(long batchId, int fileId, CancellationToken cancel);
}
