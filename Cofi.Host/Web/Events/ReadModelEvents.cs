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

    public async Task<EventPage> EventsAsync(long batchId, EventFilter filter, int page, int pageSize, CancellationToken cancel)
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
        if (filter.File is not null)
        {
            where.Add($"{Q("fileName")} LIKE @file ESCAPE '!'");
            parameters.Add(("file", $"%{Like(filter.File)}%"));
        }
        var table = Q(ReadModelTables.ExecutionLog);
        var condition = string.Join(" AND ", where);
        await using var connection = _db.OpenRawConnection();
        var total = Convert.ToInt32(await ScalarAsync(connection, $"SELECT COUNT(*) FROM {table} WHERE {condition}", parameters, cancel));
        var items = await ReadAsync(connection,
            $"SELECT {Q("id")}, {Q("stage")}, {Q("eventType")}, {Q("fileName")}, {Q("status")}, {Q("totalFiles")}, {Q("processedFiles")}, {Q("payload")}, {Q("timestamp")} " +
            $"FROM {table} WHERE {condition} ORDER BY {Q("id")} LIMIT @take OFFSET @skip",
            [.. parameters, ("take", pageSize), ("skip", (page - 1) * pageSize)],
            r => new BatchEvent(r.GetInt64(0), batchId, r.GetString(1), r.GetString(2), Text(r, 3), Text(r, 4), Int(r, 5), Int(r, 6), Text(r, 7), Utc(r, 8)),
            cancel);
        return new EventPage(page, pageSize, total, items);
    }

    public async Task<FilePage> FilesAsync(long batchId, string? search, int page, int pageSize, CancellationToken cancel)
    {
        var stages = settings.Pipeline.Stages.Where(ReadModelTables.HasDoneColumn).Select(s => s.Name).ToList();
        var condition = $"{Q("batchId")} = @batch" + (search is null ? "" : $" AND {Q("file")} LIKE @file ESCAPE '!'");
        List<(string, object)> parameters = [("batch", batchId)];
        if (search is not null) parameters.Add(("file", $"%{Like(search)}%"));
        var table = Q(ReadModelTables.FileDistribution);
        await using var connection = _db.OpenRawConnection();
        var total = Convert.ToInt32(await ScalarAsync(connection, $"SELECT COUNT(*) FROM {table} WHERE {condition}", parameters, cancel));
        var flags = string.Concat(stages.Select(s => ", " + Q(ReadModelTables.DoneColumn(s))));
        var items = await ReadAsync(connection,
            $"SELECT {Q("file")}, {Q("ip")}{flags} FROM {table} WHERE {condition} ORDER BY {Q("file")} LIMIT @take OFFSET @skip",
            [.. parameters, ("take", pageSize), ("skip", (page - 1) * pageSize)],
            r => new BatchFile(r.GetString(0), Text(r, 1), stages.Where((_, i) => Convert.ToInt32(r.GetValue(2 + i)) == 1).ToList()),
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
        var outcomes = await ReadAsync(connection,
            $"SELECT {Q("id")}, {Q("stage")}, {Q("eventType")}, {Q("fileName")}, {Q("status")}, {Q("totalFiles")}, {Q("processedFiles")}, {Q("payload")}, {Q("timestamp")} " +
            $"FROM {Q(ReadModelTables.ExecutionLog)} WHERE {Q("batchId")} = @batch AND {Q("stage")} IN ({stageList}) AND {Q("fileName")} = @file ORDER BY {Q("id")}",
            parameters,
            r => new BatchEvent(r.GetInt64(0), batchId, r.GetString(1), r.GetString(2), Text(r, 3), Text(r, 4), Int(r, 5), Int(r, 6), Text(r, 7), Utc(r, 8)),
            cancel);
        var attempts = await ReadAsync(connection,
            $"SELECT {Q("stage_name")}, {Q("attempt")}, {Q("machine")}, {Q("status")}, {Q("error_message")}, {Q("input_payload")}, {Q("output_payload")}, {Q("duration_ms")}, {Q("created_at")} " +
            $"FROM {Q(ReadModelTables.ProcessingLogs)} WHERE {Q("batch_id")} = @batch AND {Q("stage_name")} IN ({stageList}) AND {Q("call_id")} = @file ORDER BY {Q("id")}",
            parameters,
            r => (Stage: r.GetString(0), Attempt: new TimelineAttempt(r.GetInt32(1), Text(r, 2), r.GetString(3), Text(r, 4), Text(r, 5), Text(r, 6), r.GetInt64(7), Utc(r, 8))),
            cancel);
        if (outcomes.Count == 0 && attempts.Count == 0) return null;
        var steps = stages
            .Select(stage => (Stage: stage, Outcome: outcomes.LastOrDefault(e => e.Stage == stage), Attempts: attempts.Where(a => a.Stage == stage).Select(a => a.Attempt).ToList()))
            .Where(s => s.Outcome is not null || s.Attempts.Count > 0)
            .Select(s => new TimelineStep(s.Stage, s.Outcome?.Type, s.Outcome?.Status, s.Outcome?.At, s.Outcome?.Payload, s.Attempts))
            .ToList();
        return new FileTimeline(batchId, file, steps);
    }

    private string Q(string identifier) => _d.Quote(identifier);

    /// <summary>A LIKE pattern that matches <paramref name="text"/> literally ('!' escapes the wildcards).</summary>
    private static string Like(string text) => text.Replace("!", "!!").Replace("%", "!%").Replace("_", "!_");

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static int? Int(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt32(r.GetValue(i));

    /// <summary>The read model stores UTC without an offset.</summary>
    private static DateTimeOffset Utc(DbDataReader r, int i) => new(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));

    private static DbCommand Command(DbConnection connection, string sql, IEnumerable<(string Name, object Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, IEnumerable<(string, object)> parameters, CancellationToken cancel)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteScalarAsync(cancel);
    }

    private static async Task<List<T>> ReadAsync<T>(DbConnection connection, string sql, IEnumerable<(string, object)> parameters,
        Func<DbDataReader, T> read, CancellationToken cancel)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancel);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancel)) rows.Add(read(reader));
        return rows;
    }
}
