using Cofi.Actors.Configuration;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// The columns each read-model row fills, in order, and the upserts of the keyed tables: a file's distribution flags
/// only go from 0 to 1 and its machine is kept once known; a batch's values are set when given and its counts grow
/// by the deltas; a result and an offset are replaced.
/// </summary>
public sealed class ReadModelLayouts
{
    public ReadModelLayouts(SqlDialect d, PipelineSettings pipeline)
    {
        string Replace(string c) => $"{d.Quote(c)} = {d.Incoming(c)}";

        Log = new RowLayout<LogRow>(d, ReadModelTables.ExecutionLog,
            ["batchId", "stage", "eventType", "fileName", "status", "totalFiles", "processedFiles", "payload", "timestamp"],
            (r, v) =>
            {
                v.Add(r.BatchId);
                v.Add(r.Stage);
                v.Add(r.EventType);
                v.Add(r.FileName);
                v.Add(r.Status);
                v.Add(r.TotalFiles);
                v.Add(r.ProcessedFiles);
                v.Add(r.Payload);
                v.Add(r.Timestamp);
            });

        Attempts = new RowLayout<AttemptRow>(d, ReadModelTables.ProcessingLogs,
            ["call_id", "batch_id", "stage_name", "attempt", "machine", "status", "error_message", "input_payload", "output_payload", "duration_ms", "created_at", "status_code"],
            (r, v) =>
            {
                v.Add(r.CallId);
                v.Add(r.BatchId);
                v.Add(r.Stage);
                v.Add(r.Attempt);
                v.Add(r.Machine);
                v.Add(r.Status);
                v.Add(r.Error);
                v.Add(r.InputPayload);
                v.Add(r.OutputPayload);
                v.Add(r.DurationMs);
                v.Add(r.CreatedAt);
                v.Add(r.StatusCode);
            });

        Results = new RowLayout<ResultRow>(d, ReadModelTables.FileResults,
            ["batch_id", "file_id", "file_name", "status", "reason", "result", "completed_at"],
            (r, v) =>
            {
                v.Add(r.BatchId);
                v.Add(r.FileId);
                v.Add(r.FileName);
                v.Add(r.Status);
                v.Add(r.Reason);
                v.Add(r.Result);
                v.Add(r.CompletedAt);
            },
            ["batch_id", "file_id"], new[] { "status", "reason", "result", "completed_at" }.Select(Replace));

        var flags = pipeline.Stages.Where(ReadModelTables.HasDoneColumn).Select(s => ReadModelTables.DoneColumn(s.Name)).ToList();
        var distribution = d.Quote(ReadModelTables.FileDistribution);
        Distribution = new RowLayout<DistributionChange>(d, ReadModelTables.FileDistribution, ["file", "ip", "batchId", .. flags],
            (c, v) =>
            {
                v.Add(c.File);
                v.Add(c.Ip);
                v.Add(c.BatchId);
                foreach (var flag in flags) v.Add(c.DoneColumns.Contains(flag) ? 1 : 0);
            },
            ["batchId", "file"],
            new[] { $"{d.Quote("ip")} = COALESCE({distribution}.{d.Quote("ip")}, {d.Incoming("ip")})" }
                .Concat(flags.Select(f => $"{d.Quote(f)} = {d.Greatest($"{distribution}.{d.Quote(f)}", d.Incoming(f))}")));

        var stageColumns = pipeline.Stages.Select(s => ReadModelTables.StatusColumn(s.Name)).ToList();
        var batches = d.Quote(ReadModelTables.BatchStatus);
        string Keep(string c) => $"{d.Quote(c)} = COALESCE({d.Incoming(c)}, {batches}.{d.Quote(c)})";
        string Sum(string c) => $"{d.Quote(c)} = {batches}.{d.Quote(c)} + {d.Incoming(c)}";
        Batches = new RowLayout<BatchStatusChange>(d, ReadModelTables.BatchStatus,
            ["id", "input", "status", "reason", .. stageColumns, "totalFiles", "processedFiles", "failedFiles", "createdAt", "updatedAt"],
            (b, v) =>
            {
                v.Add(b.BatchId);
                v.Add(b.Input);
                v.Add(b.Status);
                v.Add(b.Reason);
                foreach (var column in stageColumns) v.Add(b.StageStatus.GetValueOrDefault(column));
                v.Add(b.TotalFiles);
                v.Add(b.ProcessedDelta);
                v.Add(b.FailedDelta);
                v.Add(b.CreatedAt);
                v.Add(b.UpdatedAt);
            },
            ["id"],
            new[] { "input", "status", "reason" }.Concat(stageColumns).Append("totalFiles").Select(Keep)
                .Concat(new[] { "processedFiles", "failedFiles" }.Select(Sum))
                .Append($"{d.Quote("updatedAt")} = {d.Greatest($"{batches}.{d.Quote("updatedAt")}", d.Incoming("updatedAt"))}"));

        Offsets = new RowLayout<KeyValuePair<string, Checkpoint>>(d, ReadModelTables.Offsets, ["persistence_id", "sequence_nr", "processed"],
            (o, v) =>
            {
                v.Add(o.Key);
                v.Add(o.Value.SequenceNr);
                v.Add(o.Value.Processed);
            },
            ["persistence_id"], new[] { "sequence_nr", "processed" }.Select(Replace));
    }

    public RowLayout<LogRow> Log { get; }

    public RowLayout<AttemptRow> Attempts { get; }

    public RowLayout<ResultRow> Results { get; }

    public RowLayout<DistributionChange> Distribution { get; }

    public RowLayout<BatchStatusChange> Batches { get; }

    public RowLayout<KeyValuePair<string, Checkpoint>> Offsets { get; }
}
