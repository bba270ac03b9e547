namespace Cofi.Actors.ReadModel;

/// <summary>A <c>batchExecutionLog</c> row.</summary>
public sealed record LogRow(long BatchId, string Stage, string EventType, string? FileName, string? Status,
    int? TotalFiles, int? ProcessedFiles, string? Payload, DateTime Timestamp);

/// <summary>A <c>processing_logs</c> row: one attempt of one file at one stage.</summary>
public sealed record AttemptRow(string CallId, long BatchId, string Stage, int Attempt, string? Machine, string Status,
    string? Error, string? InputPayload, string? OutputPayload, long DurationMs, DateTime CreatedAt);

/// <summary>A <c>file_results</c> row: a file's final outcome, written by the last stage.</summary>
public sealed record ResultRow(long BatchId, int FileId, string FileName, string Status, string? Reason, string? Result, DateTime CompletedAt);

/// <summary>A <c>fileDistribution</c> change: flags only ever go from 0 to 1, the machine is kept once known.</summary>
public sealed class DistributionChange(long batchId, string file)
{
    public long BatchId { get; } = batchId;

    public string File { get; } = file;

    public string? Ip { get; set; }

    public HashSet<string> DoneColumns { get; } = new(StringComparer.Ordinal);
}

/// <summary>A <c>batchStatus</c> change: values that are set, and counts that grow by a delta.</summary>
public sealed class BatchStatusChange(long batchId, DateTime at)
{
    public long BatchId { get; } = batchId;

    public string? Input { get; set; }

    public string? Status { get; set; }

    public string? Reason { get; set; }

    public Dictionary<string, string> StageStatus { get; } = new(StringComparer.Ordinal);

    public int? TotalFiles { get; set; }

    public int ProcessedDelta { get; set; }

    public int FailedDelta { get; set; }

    public DateTime CreatedAt { get; set; } = at;

    public DateTime UpdatedAt { get; set; } = at;
}

/// <summary>How far one persistent actor's journal is projected, and the running count of files it has settled.</summary>
public sealed record Checkpoint(long SequenceNr, int Processed)
{
    public static readonly Checkpoint Start = new(0, 0);
}
