using System.Data.Common;
using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;

namespace Cofi.Host.Web.Events;

/// <summary>
/// A batch's event log, its files and one file's timeline, read from the read-model tables the EventWriter fills
/// (<c>batchExecutionLog</c>, <c>fileDistribution</c>, <c>processing_logs</c>) on SQLite or MySQL / MariaDB. Every
/// query names the batch first, so each runs on the tables' batch indexes. Only these REST reads query the
/// database; the live stream never does.
/// </summary>
public sealed class ReadModelEvents(DatabaseSettings journal, CofiSettings settings)
{
    // SQLite keeps the read model in a file of its own beside the journal's; MySQL in the same database.
    private readonly DatabaseSettings _db = journal.ReadModel;
    private readonly SqlDialect _d = journal.ReadModel.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite;

    /// <param name="newestFirst">pages from the latest row back, the way the dashboard shows the log.</param>
    public async Task<EventPage> EventsAsync(long batchId, EventFilter filter, int page, int pageSize, CancellationToken cancel, bool newestFirst = false)
    {
        var (condition, parameters) = Where(batchId, filter);
        await using var connection = _db.OpenRawConnection();
        var total = await CountAsync(connection, condition, parameters, cancel);
        var items = await SqlRows.ReadAsync(connection,
            $"SELECT {EventColumns} " +
            $"FROM {Q(ReadModelTables.ExecutionLog)} WHERE {condition} ORDER BY {Q("id")}{(newestFirst ? " DESC" : "")} LIMIT @take OFFSET @skip",
            [.. parameters, ("take", pageSize), ("skip", (page - 1) * pageSize)],
            r => ReadEvent(r, batchId),
            cancel);
        return new EventPage(page, pageSize, total, items);
    }

    /// <summary>The batch's log rows that <paramref name="filter"/> keeps: the total of their <see cref="EventsAsync"/> pages.</summary>
    public async Task<int> CountEventsAsync(long batchId, EventFilter filter, CancellationToken cancel)
    {
        var (condition, parameters) = Where(batchId, filter);
        await using var connection = _db.OpenRawConnection();
        return await CountAsync(connection, condition, parameters, cancel);
    }

    private async Task<int> CountAsync(DbConnection connection, string condition, List<(string, object)> parameters, CancellationToken cancel) =>
        Convert.ToInt32(await SqlRows.ScalarAsync(connection, $"SELECT COUNT(*) FROM {Q(ReadModelTables.ExecutionLog)} WHERE {condition}", parameters, cancel));

    /// <summary>The batch's log rows written after row <paramref name="after"/>, oldest first: the way <c>batch tail</c> follows the log.</summary>
    public async Task<IReadOnlyList<BatchEvent>> EventsAfterAsync(long batchId, EventFilter filter, long after, int limit, CancellationToken cancel)
    {
        var (condition, parameters) = Where(batchId, filter);
        await using var connection = _db.OpenRawConnection();
        return await SqlRows.ReadAsync(connection,
            $"SELECT {EventColumns} FROM {Q(ReadModelTables.ExecutionLog)} WHERE {condition} AND {Q("id")} > @after ORDER BY {Q("id")} LIMIT @take",
            [.. parameters, ("after", after), ("take", limit)], r => ReadEvent(r, batchId), cancel);
    }

    /// <summary>
    /// The batch's files that failed at a stage and have not been done there since (a retry that succeeded), after log
    /// row <paramref name="after"/>, oldest first; only the quarantined ones when <paramref name="quarantinedOnly"/>.
    /// </summary>
    public async Task<IReadOnlyList<BatchEvent>> FailedAfterAsync(long batchId, long after, int limit, bool quarantinedOnly, CancellationToken cancel)
    {
        var quarantined = quarantinedOnly ? $"AND e.{Q("status")} = @quarantined " : "";
        var log = Q(ReadModelTables.ExecutionLog);
        await using var connection = _db.OpenRawConnection();
        return await SqlRows.ReadAsync(connection,
            $"SELECT {EventColumns} FROM {log} e WHERE {Q("batchId")} = @batch AND {Q("eventType")} = @error AND {Q("id")} > @after {quarantined}" +
            $"AND NOT EXISTS (SELECT 1 FROM {log} c WHERE c.{Q("batchId")} = @batch AND c.{Q("stage")} = e.{Q("stage")} " +
            $"AND c.{Q("fileName")} = e.{Q("fileName")} AND c.{Q("eventType")} = @complete AND c.{Q("id")} > e.{Q("id")}) ORDER BY {Q("id")} LIMIT @take",
            [("batch", batchId), ("error", ReadModelProjection.EventTypes.FileError), ("complete", ReadModelProjection.EventTypes.FileComplete),
                ("after", after), ("take", limit), ("quarantined", ReadModelProjection.Quarantined)],
            r => ReadEvent(r, batchId), cancel);
    }

    private (string Condition, List<(string, object)> Parameters) Where(long batchId, EventFilter filter)
    {
        var where = new List<string> { $"{Q("batchId")} = @batch" };
        var parameters = new List<(string, object)> { ("batch", batchId) };
        if (filter.Stage is not null)
        {
            where.Add($"{Q("stage")} = @stage");
            parameters.Add(("stage", filter.Stage));
        }
        if (filter.Type is not null)
        {
            where.Add($"{Q("eventType")} = @type");
            parameters.Add(("type", filter.Type));
        }
        if (filter.Status is not null)
        {
            where.Add($"{Q("status")} = @status");
            parameters.Add(("status", filter.Status));
        }
        if (filter.File is not null)
        {
            where.Add($"{Q("fileName")} LIKE @file ESCAPE '!'");
            parameters.Add(("file", $"%{SqlRows.Like(filter.File)}%"));
        }
        return (string.Join(" AND ", where), parameters);
    }

    public async Task<FilePage> FilesAsync(long batchId, string? search, int page, int pageSize, CancellationToken cancel)
    {
        var stages = settings.Pipeline.Stages.Where(ReadModelTables.HasDoneColumn).Select(s => s.Name).ToList();
        var condition = $"{Q("batchId")} = @batch" + (search is null ? "" : $" AND {Q("file")} LIKE @file ESCAPE '!'");
        List<(string, object)> parameters = [("batch", batchId)];
        if (search is not null) parameters.Add(("file", $"%{SqlRows.Like(search)}%"));
        var table = Q(ReadModelTables.FileDistribution);
        await using var connection = _db.OpenRawConnection();
        var total = Convert.ToInt32(await SqlRows.ScalarAsync(connection, $"SELECT COUNT(*) FROM {table} WHERE {condition}", parameters, cancel));
        var flags = string.Concat(stages.Select(s => ", " + Q(ReadModelTables.DoneColumn(s))));
        var items = await SqlRows.ReadAsync(connection,
            $"SELECT {Q("file")}, {Q("ip")}{flags} FROM {table} WHERE {condition} ORDER BY {Q("file")} LIMIT @take OFFSET @skip",
            [.. parameters, ("take", pageSize), ("skip", (page - 1) * pageSize)],
            r => new BatchFile(r.GetString(0), SqlRows.Text(r, 1), stages.Where((_, i) => Convert.ToInt32(r.GetValue(2 + i)) == 1).ToList()),
            cancel);
        return new FilePage(page, pageSize, total, items);
    }

    /// <summary>Null when the batch has no such file in the read model (yet).</summary>
    public async Task<FileTimeline?> TimelineAsync(long batchId, string file, CancellationToken cancel)
    {
        var stages = settings.Pipeline.Stages.Select(s => s.Name).ToList();
        // Naming every stage lets both queries use the (batch, stage, file) indexes.
        var stageList = string.Join(", ", stages.Select((_, i) => $"@s{i}"));
        List<(string, object)> parameters = [("batch", batchId), ("file", file), .. stages.Select((s, i) => ($"s{i}", (object)s))];
        await using var connection = _db.OpenRawConnection();
        var outcomes = await SqlRows.ReadAsync(connection,
            $"SELECT {EventColumns} " +
            $"FROM {Q(ReadModelTables.ExecutionLog)} WHERE {Q("batchId")} = @batch AND {Q("stage")} IN ({stageList}) AND {Q("fileName")} = @file ORDER BY {Q("id")}",
            parameters,
            r => ReadEvent(r, batchId),
            cancel);
        var attempts = await SqlRows.ReadAsync(connection,
            $"SELECT {Q("stage_name")}, {Q("attempt")}, {Q("machine")}, {Q("status")}, {Q("error_message")}, {Q("input_payload")}, {Q("output_payload")}, {Q("duration_ms")}, {Q("created_at")}, {Q("status_code")} " +
            $"FROM {Q(ReadModelTables.ProcessingLogs)} WHERE {Q("batch_id")} = @batch AND {Q("stage_name")} IN ({stageList}) AND {Q("call_id")} = @file ORDER BY {Q("id")}",
            parameters,
            r => (Stage: r.GetString(0), Attempt: new TimelineAttempt(r.GetInt32(1), SqlRows.Text(r, 2), r.GetString(3), SqlRows.Text(r, 4), SqlRows.Text(r, 5), SqlRows.Text(r, 6), r.GetInt64(7), SqlRows.Utc(r, 8), SqlRows.Int(r, 9))),
            cancel);
        if (outcomes.Count == 0 && attempts.Count == 0) return null;
        var steps = stages
            .Select(stage => (Stage: stage, Outcome: outcomes.LastOrDefault(e => e.Stage == stage), Attempts: attempts.Where(a => a.Stage == stage).Select(a => a.Attempt).ToList()))
            .Where(s => s.Outcome is not null || s.Attempts.Count > 0)
            .Select(s => new TimelineStep(s.Stage, s.Outcome?.Type, s.Outcome?.Status, s.Outcome?.At, s.Outcome?.Payload, s.Attempts))
            .ToList();
        return new FileTimeline(batchId, file, steps);
    }

    private string EventColumns => string.Join(", ",
        new[] { "id", "stage", "eventType", "fileName", "status", "totalFiles", "processedFiles", "payload", "timestamp" }.Select(Q));

    private static BatchEvent ReadEvent(DbDataReader r, long batchId) =>
        new(r.GetInt64(0), batchId, r.GetString(1), r.GetString(2), SqlRows.Text(r, 3), SqlRows.Text(r, 4), SqlRows.Int(r, 5), SqlRows.Int(r, 6), SqlRows.Text(r, 7), SqlRows.Utc(r, 8));

    private string Q(string identifier) => _d.Quote(identifier);
}
