using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;
using LinqToDB.Data;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// Creates and migrates the read-model tables at start, idempotently, on SQLite and MySQL / MariaDB: a missing
/// table is created, a missing column (e.g. a stage added to the pipeline) is added, a missing index is created.
/// </summary>
public static class ReadModelSchema
{
    private sealed record Column(string Name, string Type);

    private sealed record Index(string Name, params string[] Columns);

    private sealed record Table(string Name, IReadOnlyList<Column> Columns, string? PrimaryKey, IReadOnlyList<Index> Indexes);

    /// <summary>
    /// Pages of a new SQLite read model. Each row goes into a table and three or four indexes that grow to millions of
    /// entries; with 16 KiB pages their trees are shallower and a commit writes fewer pages: the writer inserted about a
    /// quarter more rows per CPU second than with SQLite's default 4 KiB, and checkpoints came a quarter as often.
    /// </summary>
    public const int SqlitePageSize = 16_384;

    /// <param name="journal">the journal's database; the tables go to its <see cref="DatabaseSettings.ReadModel"/></param>
    public static void Create(DatabaseSettings journal, PipelineSettings pipeline)
    {
        var db = journal.ReadModel;
        if (db.IsSqlite) SqlitePragmas.EnableWal(db.ConnectionString, SqlitePageSize);
        var dialect = db.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite;
        using var connection = db.Connect();
        foreach (var table in Tables(dialect, pipeline)) Migrate(connection, dialect, table, db.MySqlDatabase);
    }

    private static IEnumerable<Table> Tables(SqlDialect d, PipelineSettings pipeline)
    {
        string Varchar(int n) => d.IsMySql ? $"VARCHAR({n})" : "TEXT";
        var id = new Column("id", d.AutoIncrementKey);

        var batchStatus = new List<Column>
        {
            new("id", "BIGINT NOT NULL PRIMARY KEY"),
            new("input", $"{Varchar(1024)} NULL"),
            new("status", $"{Varchar(32)} NULL"),
            new("reason", $"{d.Text} NULL"),
        };
        batchStatus.AddRange(pipeline.Stages.Select(s => new Column(ReadModelTables.StatusColumn(s.Name), $"{Varchar(32)} NULL")));
        batchStatus.AddRange([
            new("totalFiles", "INT NULL"),
            new("processedFiles", "INT NOT NULL DEFAULT 0"),
            new("failedFiles", "INT NOT NULL DEFAULT 0"),
            new("createdAt", $"{d.Timestamp} NOT NULL"),
            new("updatedAt", $"{d.Timestamp} NOT NULL"),
        ]);
        yield return new Table(ReadModelTables.BatchStatus, batchStatus, null, [new("ix_batchStatus_status", "status")]);

        Column[] log =
        [
            id,
            new("batchId", "BIGINT NOT NULL"),
            new("stage", $"{Varchar(64)} NOT NULL"),
            new("eventType", $"{Varchar(32)} NOT NULL"),
            new("fileName", $"{Varchar(255)} NULL"),
            new("status", $"{Varchar(32)} NULL"),
            new("totalFiles", "INT NULL"),
            new("processedFiles", "INT NULL"),
            new("payload", $"{d.Text} NULL"),
            new("timestamp", $"{d.Timestamp} NOT NULL"),
        ];
        Index[] logIndexes =
        [
            // A batch's rows in id order (the row id rides along in the index): the dashboard's newest page without a sort.
            new("ix_batchExecutionLog_batch", "batchId"),
            new("ix_batchExecutionLog_batch_event", "batchId", "eventType"),
            new("ix_batchExecutionLog_batch_status", "batchId", "status"),
            new("ix_batchExecutionLog_batch_stage_file", "batchId", "stage", "fileName"),
            new("ix_batchExecutionLog_timestamp", "timestamp"),
        ];
        yield return new Table(ReadModelTables.ExecutionLog, log, null, logIndexes);
        // Same columns; its id is the original row's id, so archiving twice cannot copy a row twice.
        yield return new Table(ReadModelTables.ExecutionLogArchive, [new Column("id", "BIGINT NOT NULL PRIMARY KEY"), .. log.Skip(1)], null,
            [new("ix_batchExecutionLog_archive_batch_event", "batchId", "eventType")]);

        var distribution = new List<Column>
        {
            new("file", $"{Varchar(255)} NOT NULL"),
            new("ip", $"{Varchar(255)} NULL"),
            new("batchId", "BIGINT NOT NULL"),
        };
        distribution.AddRange(pipeline.Stages.Where(ReadModelTables.HasDoneColumn)
            .Select(s => new Column(ReadModelTables.DoneColumn(s.Name), "TINYINT NOT NULL DEFAULT 0")));
        yield return new Table(ReadModelTables.FileDistribution, distribution, "batchId, file", [new("ix_fileDistribution_batch", "batchId")]);

        yield return new Table(ReadModelTables.ProcessingLogs,
        [
            id,
            new("call_id", $"{Varchar(255)} NOT NULL"),
            new("batch_id", "BIGINT NOT NULL"),
            new("stage_name", $"{Varchar(64)} NOT NULL"),
            new("attempt", "INT NOT NULL"),
            new("machine", $"{Varchar(255)} NULL"),
            new("status", $"{Varchar(32)} NOT NULL"),
            new("error_message", $"{d.Text} NULL"),
            new("input_payload", $"{d.Text} NULL"),
            new("output_payload", $"{d.Text} NULL"),
            new("duration_ms", "BIGINT NOT NULL"),
            new("created_at", $"{d.Timestamp} NOT NULL"),
            new("status_code", "INT NULL"),
        ], null,
        [
            new("ix_processing_logs_batch_status", "batch_id", "status"),
            new("ix_processing_logs_batch_stage_call", "batch_id", "stage_name", "call_id"),
            new("ix_processing_logs_created", "created_at"),
        ]);

        yield return new Table(ReadModelTables.FileResults,
        [
            new("batch_id", "BIGINT NOT NULL"),
            new("file_id", "INT NOT NULL"),
            new("file_name", $"{Varchar(255)} NOT NULL"),
            new("status", $"{Varchar(32)} NOT NULL"),
            new("reason", $"{d.Text} NULL"),
            new("result", $"{d.Text} NULL"),
            new("completed_at", $"{d.Timestamp} NOT NULL"),
        ], "batch_id, file_id", [new("ix_file_results_batch_status", "batch_id", "status")]);

        yield return new Table(ReadModelTables.Offsets,
        [
            new("persistence_id", $"{Varchar(255)} NOT NULL PRIMARY KEY"),
            new("sequence_nr", "BIGINT NOT NULL"),
            new("processed", "INT NOT NULL"),
        ], null, []);

        // Written by the web API for every mutation asked of it, not by the EventWriter.
        yield return new Table(AuditLogTable,
        [
            id,
            new("at", $"{d.Timestamp} NOT NULL"),
            new("token_name", $"{Varchar(64)} NULL"),
            new("role", $"{Varchar(16)} NULL"),
            new("action", $"{Varchar(64)} NOT NULL"),
            new("target", $"{Varchar(512)} NOT NULL"),
            new("reason", $"{Varchar(500)} NULL"),
            new("outcome", "INT NOT NULL"),
            new("client_address", $"{Varchar(64)} NULL"),
        ], null, [new("ix_audit_log_at", "at"), new("ix_audit_log_token", "token_name")]);
    }

    /// <summary>Who asked the API for which change, and what came of it.</summary>
    public const string AuditLogTable = "audit_log";

    private static void Migrate(DataConnection connection, SqlDialect d, Table table, string? database)
    {
        var columns = table.Columns.Select(c => $"{d.Quote(c.Name)} {c.Type}").ToList();
        if (table.PrimaryKey is not null)
            columns.Add($"PRIMARY KEY ({string.Join(", ", table.PrimaryKey.Split(", ").Select(d.Quote))})");
        connection.Execute($"CREATE TABLE IF NOT EXISTS {d.Quote(table.Name)} ({string.Join(", ", columns)}){d.TableOptions}");

        var existing = ExistingColumns(connection, d, table.Name, database);
        foreach (var column in table.Columns.Where(c => !existing.Contains(c.Name)))
            connection.Execute($"ALTER TABLE {d.Quote(table.Name)} ADD COLUMN {d.Quote(column.Name)} {column.Type}");

        var indexes = ExistingIndexes(connection, d, table.Name, database);
        foreach (var index in table.Indexes.Where(i => !indexes.Contains(i.Name)))
            connection.Execute($"CREATE INDEX {d.Quote(index.Name)} ON {d.Quote(table.Name)} ({string.Join(", ", index.Columns.Select(d.Quote))})");
    }

    private static HashSet<string> ExistingColumns(DataConnection connection, SqlDialect d, string table, string? database) =>
        (d.IsMySql
            ? connection.Query<string>("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = @db AND TABLE_NAME = @table",
                new DataParameter("db", database), new DataParameter("table", table))
            : connection.Query<string>("SELECT name FROM pragma_table_info(@table)", new DataParameter("table", table)))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static HashSet<string> ExistingIndexes(DataConnection connection, SqlDialect d, string table, string? database) =>
        (d.IsMySql
            ? connection.Query<string>("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = @db AND TABLE_NAME = @table",
                new DataParameter("db", database), new DataParameter("table", table))
            : connection.Query<string>("SELECT name FROM pragma_index_list(@table)", new DataParameter("table", table)))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);
}
