using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Distribution;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// Turns one journal event into read-model rows. Pure: the rows depend only on the event and the checkpoint
/// before it, so projecting the same journal again (live, or read back after a crash) writes the same rows.
/// </summary>
public static class ReadModelProjection
{
    /// <summary>The status of a file_error row whose file was quarantined (its calls hung on several machines).</summary>
    public const string Quarantined = "quarantined";

    public static class EventTypes
    {
        public const string StageStart = "stage_start";
        public const string FileStart = "file_start";
        public const string FileComplete = "file_complete";
        public const string FileError = "file_error";
        public const string StageProgress = "stage_progress";
        public const string StageComplete = "stage_complete";
    }

    /// <summary>Projects <paramref name="event"/> (sequence number <paramref name="sequenceNr"/> of <paramref name="persistenceId"/>) into <paramref name="into"/>.</summary>
    public static Checkpoint Project(string persistenceId, long sequenceNr, object @event, Checkpoint before, ReadModelOptions options, ReadModelChanges into)
    {
        var processed = @event switch
        {
            IBatchEvent e => Batch(e, before.Processed, into),
            DistributionEvents.FilesScanned e => Scanned(e, before.Processed, options, into),
            DistributionEvents.ScanCompleted e => ScanCompleted(e, before.Processed, into),
            DistributionEvents.ScanFailed e => ScanFailed(e, before.Processed, into),
            StageEvents.OutcomesRecorded e => Outcomes(e, before.Processed, options, into),
            StageEvents.StageCompleted e => StageCompleted(e, before.Processed, into),
            StageEvents.FilesRequeued e => Requeued(e, before.Processed, options, into),
            _ => before.Processed,
        };
        var after = new Checkpoint(sequenceNr, processed);
        into.Expected.TryAdd(persistenceId, before.SequenceNr);
        into.Offsets[persistenceId] = after;
        return after;
    }

    private static int Batch(IBatchEvent @event, int processed, ReadModelChanges into)
    {
        switch (@event)
        {
            case BatchEvents.Submitted e:
                var submitted = into.Batch(e.BatchId, e.At.UtcDateTime);
                submitted.Input = e.Input;
                submitted.Status ??= "queued";
                break;
            case BatchEvents.Started e:
                var started = into.Batch(e.BatchId, e.At.UtcDateTime);
                if (started.Status is null or "queued") started.Status = "running";
                break;
            case BatchEvents.Finished e:
                var finished = into.Batch(e.BatchId, e.At.UtcDateTime);
                finished.Status = e.Status.ToString().ToLowerInvariant();
                finished.Reason = e.Reason;
                break;
            case BatchEvents.Purged e:
                into.Batches.Remove(e.BatchId);
                into.Purged.Add(e.BatchId);
                break;
        }
        return processed;
    }

    private static int Scanned(DistributionEvents.FilesScanned e, int processed, ReadModelOptions options, ReadModelChanges into)
    {
        var at = e.At.UtcDateTime;
        // A resumed scan may list entries registered before the crash; they were projected then.
        var fresh = e.Files.Where(f => f.FileId >= processed).OrderBy(f => f.FileId).ToList();
        foreach (var file in fresh)
        {
            into.Log.Add(file.IsValid
                ? new LogRow(e.BatchId, e.Stage, EventTypes.FileComplete, file.Name, "done", null, null,
                    Json(new { sizeBytes = file.SizeBytes, format = file.Format?.ToString().ToLowerInvariant() }), at)
                : new LogRow(e.BatchId, e.Stage, EventTypes.FileError, file.Name, "failed", null, null,
                    Json(new { error = file.Error, request = new { file = file.Path } }), at));
            into.FileDistribution(e.BatchId, file.Name);
        }
        var batch = into.Batch(e.BatchId, at);
        batch.StageStatus[ReadModelTables.StatusColumn(e.Stage)] = "running";
        batch.FailedDelta += fresh.Count(f => !f.IsValid);
        return Progress(e.BatchId, e.Stage, processed, processed + fresh.Count, options, at, into);
    }

    private static int ScanCompleted(DistributionEvents.ScanCompleted e, int processed, ReadModelChanges into)
    {
        var at = e.At.UtcDateTime;
        into.Log.Add(new LogRow(e.BatchId, e.Stage, EventTypes.StageComplete, null, "completed", e.Total, e.Total,
            Json(new { total = e.Total, valid = e.Valid, failed = e.Total - e.Valid }), at));
        var batch = into.Batch(e.BatchId, at);
        batch.TotalFiles = e.Total;
        batch.StageStatus[ReadModelTables.StatusColumn(e.Stage)] = "completed";
        return processed;
    }

    private static int ScanFailed(DistributionEvents.ScanFailed e, int processed, ReadModelChanges into)
    {
        var at = e.At.UtcDateTime;
        into.Log.Add(new LogRow(e.BatchId, e.Stage, EventTypes.StageComplete, null, "failed", null, processed, Json(new { error = e.Reason }), at));
        into.Batch(e.BatchId, at).StageStatus[ReadModelTables.StatusColumn(e.Stage)] = "failed";
        return processed;
    }

    private static int Outcomes(StageEvents.OutcomesRecorded e, int processed, ReadModelOptions options, ReadModelChanges into)
    {
        var at = e.At.UtcDateTime;
        var stage = options.Pipeline.Stages.FirstOrDefault(s => s.Name == e.Stage);
        var doneColumn = stage is not null && ReadModelTables.HasDoneColumn(stage) ? ReadModelTables.DoneColumn(e.Stage) : null;
        var isLast = stage is not null && stage.Kind == StageKind.Metadata;
        var batch = into.Batch(e.BatchId, at);
        batch.StageStatus[ReadModelTables.StatusColumn(e.Stage)] = "running";

        foreach (var record in e.Records)
        {
            var history = record.History is { Count: > 0 } h ? h : Inferred(record, e.At);
            foreach (var attempt in history)
            {
                var request = Request(e.BatchId, e.Stage, record.Name, attempt.Attempt, attempt.Machine);
                if (options.LogFileStartEvents)
                    into.Log.Add(new LogRow(e.BatchId, e.Stage, EventTypes.FileStart, record.Name, "started", null, null, request,
                        (attempt.At - TimeSpan.FromMilliseconds(attempt.DurationMs)).UtcDateTime));
                var final = attempt == history[^1];
                into.Attempts.Add(new AttemptRow(record.Name, e.BatchId, e.Stage, attempt.Attempt, attempt.Machine,
                    final ? record.Status.ToString().ToLowerInvariant() : AttemptStatus(attempt.Outcome),
                    attempt.Error, attempt.Request ?? request, attempt.Response ?? (final && record.Status == FileStatus.Done ? record.Result : null),
                    attempt.DurationMs, attempt.At.UtcDateTime, attempt.StatusCode));
            }

            var last = history.Count > 0 ? history[^1] : null;
            into.Log.Add(record.Status switch
            {
                FileStatus.Done => new LogRow(e.BatchId, e.Stage, EventTypes.FileComplete, record.Name, "done", null, null, record.Result, at),
                FileStatus.Failed => new LogRow(e.BatchId, e.Stage, EventTypes.FileError, record.Name, record.Quarantined ? Quarantined : "failed", null, null,
                    Json(new { error = record.Reason, request = JsonDocument.Parse(Request(e.BatchId, e.Stage, record.Name, record.Attempts, last?.Machine)).RootElement }), at),
                _ => new LogRow(e.BatchId, e.Stage, EventTypes.FileComplete, record.Name, "skipped", null, null, Json(new { skipped = record.Reason }), at),
            });

            if (doneColumn is not null && record.Status == FileStatus.Done)
            {
                var distribution = into.FileDistribution(e.BatchId, record.Name);
                distribution.DoneColumns.Add(doneColumn);
                if (stage!.RunsOnGpuMachines && record.Machine is not null) distribution.Ip ??= record.Machine;
            }
            if (record.Status == FileStatus.Failed) batch.FailedDelta++;
            if (isLast)
            {
                into.Results.Add(new ResultRow(e.BatchId, record.FileId, record.Name, record.Status.ToString().ToLowerInvariant(), record.Reason, record.Result, at));
                batch.ProcessedDelta++;
            }
        }
        return Progress(e.BatchId, e.Stage, processed, processed + e.Records.Count, options, at, into);
    }

    private static int StageCompleted(StageEvents.StageCompleted e, int processed, ReadModelChanges into)
    {
        var at = e.At.UtcDateTime;
        var total = e.Done + e.Failed + e.Skipped;
        into.Log.Add(new LogRow(e.BatchId, e.Stage, EventTypes.StageComplete, null, "completed", total, total,
            Json(new { done = e.Done, failed = e.Failed, skipped = e.Skipped }), at));
        into.Batch(e.BatchId, at).StageStatus[ReadModelTables.StatusColumn(e.Stage)] = "completed";
        return processed;
    }

    /// <summary>
    /// retry-failed dropped these records: they are settled again later, so they leave the batch's failed count
    /// (and, at the last stage, its processed count) now rather than being counted twice.
    /// </summary>
    private static int Requeued(StageEvents.FilesRequeued e, int processed, ReadModelOptions options, ReadModelChanges into)
    {
        var batch = into.Batch(e.BatchId, e.At.UtcDateTime);
        batch.FailedDelta -= e.Failed;
        if (options.Pipeline.Stages.FirstOrDefault(s => s.Name == e.Stage) is { Kind: StageKind.Metadata }) batch.ProcessedDelta -= e.FileIds.Count;
        batch.StageStatus[ReadModelTables.StatusColumn(e.Stage)] = "running";
        return Math.Max(0, processed - e.FileIds.Count);
    }

    /// <summary>stage_start with the first settled file, stage_progress each time the count crosses a multiple of the interval.</summary>
    private static int Progress(long batchId, string stage, int before, int after, ReadModelOptions options, DateTime at, ReadModelChanges into)
    {
        if (before == 0 && after > 0) into.Log.Add(new LogRow(batchId, stage, EventTypes.StageStart, null, "running", null, 0, null, at));
        var interval = options.ProgressUpdateInterval;
        for (var mark = (before / interval + 1) * interval; mark <= after; mark += interval)
            into.Log.Add(new LogRow(batchId, stage, EventTypes.StageProgress, null, "running", null, mark, null, at));
        return after;
    }

    /// <summary>Records written before attempts were kept (and pass-through skips) still get their row: the settling attempt.</summary>
    private static IReadOnlyList<AttemptRecord> Inferred(FileRecord record, DateTimeOffset at) =>
        record.Attempts < 1
            ? []
            : [new AttemptRecord(record.Attempts, record.Machine ?? "coordinator", record.Status switch
            {
                FileStatus.Done => AttemptOutcome.Done,
                FileStatus.Skipped => AttemptOutcome.Skipped,
                _ => AttemptOutcome.PermanentFailure,
            }, record.Reason, record.DurationMs, at)];

    private static string AttemptStatus(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.Done => "done",
        AttemptOutcome.Skipped => "skipped",
        AttemptOutcome.TransientFailure => "retry",
        AttemptOutcome.Superseded => "superseded",
        _ => "failed",
    };

    private static string Request(long batchId, string stage, string file, int attempt, string? machine) =>
        Json(new { idempotencyKey = $"{batchId}:{stage}:{file}", file, attempt, machine });

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
