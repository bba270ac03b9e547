using System.Data.Common;
using System.Globalization;
using System.Text;
using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;
using LinqToDB.Data;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// Writes read-model changes as multi-row INSERTs (upserts for the keyed tables), at most
/// <see cref="RowsPerStatement"/> rows each, in one transaction together with the journal positions they reach:
/// after any crash, the offsets say exactly which events the read model holds.
/// Parameterised statements rather than linq2db's BulkCopy: its multi-row mode truncates DATETIME(6) to
/// milliseconds, and it cannot express the upserts.
/// The tables live in <see cref="DatabaseSettings.ReadModel"/> of the <paramref name="journal"/>'s database.
/// </summary>
public sealed class ReadModelStore(DatabaseSettings journal, PipelineSettings pipeline, int rowsPerStatement)
{
    private readonly DatabaseSettings _readModel = journal.ReadModel;
    private readonly SqlDialect _d = journal.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite;

    public int RowsPerStatement { get; } = rowsPerStatement;

    /// <summary>
    /// What one write did: statements issued, of which INSERTs into batchExecutionLog, and its rows; or, when
    /// <see cref="Conflicts"/> is not empty, nothing: those actors' positions had moved, and the transaction was rolled back.
    /// </summary>
    public sealed record WriteResult(int Statements, int LogStatements, int Rows, IReadOnlyList<string> Conflicts)
    {
        public static WriteResult Refused(IReadOnlyList<string> conflicts) => new(0, 0, 0, conflicts);
    }

    public WriteResult Write(ReadModelChanges changes)
    {
        using var connection = _readModel.Connect();
        using var transaction = connection.BeginTransaction();
        var conflicts = Conflicts(connection, changes.Expected);
        if (conflicts.Count > 0)
        {
            transaction.Rollback();
            return WriteResult.Refused(conflicts);
        }
        var statements = 0;
        var logStatements = Insert(connection, ReadModelTables.ExecutionLog,
            ["batchId", "stage", "eventType", "fileName", "status", "totalFiles", "processedFiles", "payload", "timestamp"],
            changes.Log.Select(r => new object?[] { r.BatchId, r.Stage, r.EventType, r.FileName, r.Status, r.TotalFiles, r.ProcessedFiles, r.Payload, r.Timestamp }).ToList());
        statements += logStatements;
        statements += Insert(connection, ReadModelTables.ProcessingLogs,
            ["call_id", "batch_id", "stage_name", "attempt", "machine", "status", "error_message", "input_payload", "output_payload", "duration_ms", "created_at", "status_code"],
            changes.Attempts.Select(r => new object?[] { r.CallId, r.BatchId, r.Stage, r.Attempt, r.Machine, r.Status, r.Error, r.InputPayload, r.OutputPayload, r.DurationMs, r.CreatedAt, r.StatusCode }).ToList());
        statements += Insert(connection, ReadModelTables.FileResults,
            ["batch_id", "file_id", "file_name", "status", "reason", "result", "completed_at"],
            changes.Results.Select(r => new object?[] { r.BatchId, r.FileId, r.FileName, r.Status, r.Reason, r.Result, r.CompletedAt }).ToList(),
            ["batch_id", "file_id"], new[] { "status", "reason", "result", "completed_at" }.Select(c => $"{_d.Quote(c)} = {_d.Incoming(c)}"));
        statements += WriteDistribution(connection, changes);
        statements += WriteBatches(connection, changes);
        statements += Insert(connection, ReadModelTables.Offsets, ["persistence_id", "sequence_nr", "processed"],
            changes.Offsets.Select(o => new object?[] { o.Key, o.Value.SequenceNr, o.Value.Processed }).ToList(),
            ["persistence_id"], new[] { "sequence_nr", "processed" }.Select(c => $"{_d.Quote(c)} = {_d.Incoming(c)}"));
        transaction.Commit();
        return new WriteResult(statements, logStatements, changes.Rows, []);
    }

    /// <summary>
    /// The actors whose stored position is not the one the rows follow on. On MySQL the offset rows stay locked
    /// (FOR UPDATE) until the transaction ends, so two writers cannot both pass this check; SQLite has one writer at a time.
    /// </summary>
    private List<string> Conflicts(DataConnection connection, IReadOnlyDictionary<string, long> expected)
    {
        if (expected.Count == 0) return [];
        var ids = expected.Keys.ToList();
        var parameters = ids.Select((id, i) => new DataParameter("o" + i, id)).ToArray();
        var sql = $"SELECT persistence_id, sequence_nr FROM {_d.Quote(ReadModelTables.Offsets)} WHERE persistence_id IN ({string.Join(", ", parameters.Select(p => "@" + p.Name))})"
            + (_d.IsMySql ? " FOR UPDATE" : "");
        var stored = connection.Query(r => (Id: r.GetString(0), Seq: r.GetInt64(1)), sql, parameters).ToDictionary(x => x.Id, x => x.Seq, StringComparer.Ordinal);
        return ids.Where(id => stored.GetValueOrDefault(id) != expected[id]).ToList();
    }

    private int WriteDistribution(DataConnection connection, ReadModelChanges changes)
    {
        var flags = pipeline.Stages.Where(ReadModelTables.HasDoneColumn).Select(s => ReadModelTables.DoneColumn(s.Name)).ToList();
        var rows = changes.Distribution.Values
            .Select(c => new object?[] { c.File, c.Ip, c.BatchId }.Concat(flags.Select(f => (object?)(c.DoneColumns.Contains(f) ? 1 : 0))).ToArray())
            .ToList();
        var table = _d.Quote(ReadModelTables.FileDistribution);
        var updates = new[] { $"{_d.Quote("ip")} = COALESCE({table}.{_d.Quote("ip")}, {_d.Incoming("ip")})" }
            .Concat(flags.Select(f => $"{_d.Quote(f)} = {_d.Greatest($"{table}.{_d.Quote(f)}", _d.Incoming(f))}"));
        return Insert(connection, ReadModelTables.FileDistribution, ["file", "ip", "batchId", .. flags], rows, ["batchId", "file"], updates);
    }

    private int WriteBatches(DataConnection connection, ReadModelChanges changes)
    {
        var stageColumns = pipeline.Stages.Select(s => ReadModelTables.StatusColumn(s.Name)).ToList();
        var rows = changes.Batches.Values.Select(b => new object?[] { b.BatchId, b.Input, b.Status, b.Reason }
                .Concat(stageColumns.Select(c => (object?)b.StageStatus.GetValueOrDefault(c)))
                .Concat([b.TotalFiles, b.ProcessedDelta, b.FailedDelta, b.CreatedAt, b.UpdatedAt]).ToArray())
            .ToList();
        var table = _d.Quote(ReadModelTables.BatchStatus);
        string Keep(string c) => $"{_d.Quote(c)} = COALESCE({_d.Incoming(c)}, {table}.{_d.Quote(c)})";
        string Add(string c) => $"{_d.Quote(c)} = {table}.{_d.Quote(c)} + {_d.Incoming(c)}";
        var updates = new[] { "input", "status", "reason" }.Concat(stageColumns).Append("totalFiles").Select(Keep)
            .Concat(new[] { "processedFiles", "failedFiles" }.Select(Add))
            .Append($"{_d.Quote("updatedAt")} = {_d.Greatest($"{table}.{_d.Quote("updatedAt")}", _d.Incoming("updatedAt"))}");
        return Insert(connection, ReadModelTables.BatchStatus,
            ["id", "input", "status", "reason", .. stageColumns, "totalFiles", "processedFiles", "failedFiles", "createdAt", "updatedAt"],
            rows, ["id"], updates);
    }

    /// <summary>
    /// Writes <paramref name="rows"/> into <paramref name="table"/> (an upsert when <paramref name="key"/> is given);
    /// returns the statements executed. MySQL: multi-row INSERTs of at most <see cref="RowsPerStatement"/> rows, one
    /// round trip each. SQLite runs in this process, so a round trip costs nothing, and binding a statement of
    /// thousands of named parameters costs the square of their number: one prepared single-row INSERT is executed
    /// for every row instead.
    /// </summary>
    private int Insert(DataConnection connection, string table, IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows,
        IReadOnlyList<string>? key = null, IEnumerable<string>? updates = null)
    {
        if (rows.Count == 0) return 0;
        var conflict = key is null ? "" : _d.OnConflict(key, updates!);
        var head = $"INSERT INTO {_d.Quote(table)} ({string.Join(", ", columns.Select(_d.Quote))}) VALUES ";
        return _d.IsMySql ? InsertMultiRow(connection, head, conflict, columns.Count, rows) : InsertEachRow(connection, head, conflict, columns.Count, rows);
    }

    private int InsertMultiRow(DataConnection connection, string head, string conflict, int columns, IReadOnlyList<object?[]> rows)
    {
        var statements = 0;
        for (var start = 0; start < rows.Count; start += RowsPerStatement)
        {
            var chunk = rows.Skip(start).Take(RowsPerStatement).ToList();
            var sql = new StringBuilder(head, head.Length + chunk.Count * columns * 8);
            var parameters = new DataParameter[chunk.Count * columns];
            for (var r = 0; r < chunk.Count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns; c++)
                {
                    var index = r * columns + c;
                    if (c > 0) sql.Append(", ");
                    sql.Append("@p").Append(index);
                    parameters[index] = new DataParameter("p" + index, chunk[r][c]);
                }
                sql.Append(')');
            }
            sql.Append(conflict);
            connection.Execute(sql.ToString(), parameters);
            statements++;
        }
        return statements;
    }

    private static int InsertEachRow(DataConnection connection, string head, string conflict, int columns, IReadOnlyList<object?[]> rows)
    {
        using var command = connection.OpenDbConnection().CreateCommand();
        command.Transaction = connection.Transaction;
        command.CommandText = head + "(" + string.Join(", ", Enumerable.Range(0, columns).Select(c => "@p" + c)) + ")" + conflict;
        var parameters = new DbParameter[columns];
        for (var c = 0; c < columns; c++)
        {
            parameters[c] = command.CreateParameter();
            parameters[c].ParameterName = "@p" + c;
            command.Parameters.Add(parameters[c]);
        }
        command.Prepare();
        foreach (var row in rows)
        {
            for (var c = 0; c < columns; c++) parameters[c].Value = SqliteValue(row[c]);
            command.ExecuteNonQuery();
        }
        return rows.Count;
    }

    /// <summary>
    /// What linq2db's SQLite provider would store for <paramref name="value"/>: timestamps as text to the millisecond,
    /// the form its queries over these tables (retention, the web API) compare with.
    /// </summary>
    private static object SqliteValue(object? value) => value switch
    {
        null => DBNull.Value,
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>Every projected position, by persistence id.</summary>
    public Dictionary<string, Checkpoint> Checkpoints()
    {
        using var connection = _readModel.Connect();
        return connection.Query(r => (Id: r.GetString(0), Checkpoint: new Checkpoint(r.GetInt64(1), r.GetInt32(2))),
                $"SELECT persistence_id, sequence_nr, processed FROM {_d.Quote(ReadModelTables.Offsets)}")
            .ToDictionary(x => x.Id, x => x.Checkpoint, StringComparer.Ordinal);
    }

    /// <summary>The newest sequence number in the journal of every persistent actor the read model follows.</summary>
    public Dictionary<string, long> JournalHeads()
    {
        using var connection = journal.Connect();
        return connection.Query(r => (Id: r.GetString(0), Seq: r.GetInt64(1)),
                "SELECT persistence_id, MAX(sequence_number) FROM journal WHERE persistence_id = 'batch-manager' OR persistence_id LIKE 'batch-%-stage-%' GROUP BY persistence_id")
            .ToDictionary(x => x.Id, x => x.Seq, StringComparer.Ordinal);
    }
}
