using Cofi.Actors.Configuration;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Tests.Support;
using LinqToDB.Data;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cofi.Actors.Tests.ReadModel;

public sealed class ReadModelStoreSpecs
{
    private const string Actor = "batch-77-stage-denoise";
    private static readonly PipelineSettings Pipeline = CofiSettings.FromConfig(CofiConfig.Load()).Pipeline;

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public void Should_write_no_row_when_the_offset_of_the_same_flush_cannot_be_stored(string kind)
    {
        using var db = new TestDatabase(kind);
        ReadModelSchema.Create(db.Settings, Pipeline);
        var store = new ReadModelStore(db.Settings, Pipeline, 500);
        // The offsets table refuses every insert: the rows went in before it, in the same transaction.
        using (var connection = db.Settings.ReadModel.OpenRawConnection())
            ReadModelComparison.Scalar(connection, db.Settings.IsMySql
                ? $"CREATE TRIGGER refuse_offsets BEFORE INSERT ON {ReadModelTables.Offsets} FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'offset refused'"
                : $"CREATE TRIGGER refuse_offsets BEFORE INSERT ON {ReadModelTables.Offsets} BEGIN SELECT RAISE(ABORT, 'offset refused'); END");

        var refused = Record.Exception(() => store.Write(Changes(1_200, sequenceNr: 1)));

        refused.ShouldNotBeNull().Message.ShouldContain("offset refused");

        db.Count($"SELECT COUNT(*) FROM {ReadModelTables.ExecutionLog}").ShouldBe(0, "rows without their offset would be projected again after a restart");
        db.Count($"SELECT COUNT(*) FROM {ReadModelTables.Offsets}").ShouldBe(0);
        using (var connection = db.Settings.ReadModel.OpenRawConnection()) ReadModelComparison.Scalar(connection, "DROP TRIGGER refuse_offsets");
        var written = store.Write(Changes(1_200, sequenceNr: 1));
        written.Rows.ShouldBe(1_200);
        written.LogStatements.ShouldBe(3, "500-row INSERTs");
        db.Count($"SELECT COUNT(*) FROM {ReadModelTables.ExecutionLog}").ShouldBe(1_200);
        store.Checkpoints()[Actor].ShouldBe(new Checkpoint(1, 1_200));
    }

    [Fact]
    public void Should_split_a_multi_row_insert_where_its_parameters_would_pass_the_limit_of_sqlite()
    {
        using var db = new TestDatabase("sqlite");
        ReadModelSchema.Create(db.Settings, Pipeline);
        var layout = new ReadModelLayouts(SqlDialect.Sqlite, Pipeline).Log;
        var rows = Changes(8_000, sequenceNr: 1).Log;
        using var connection = db.Settings.ReadModel.Connect();
        var sqlite = (SqliteConnection)connection.OpenDbConnection();
        var limit = raw.sqlite3_limit(sqlite.Handle, raw.SQLITE_LIMIT_VARIABLE_NUMBER, -1);
        var perStatement = limit / layout.Columns;
        perStatement.ShouldBeLessThan(rows.Count, $"{rows.Count:N0} rows of {layout.Columns} values pass the limit of {limit:N0} parameters");

        int statements;
        using (var transaction = connection.BeginTransaction())
        {
            statements = SqliteInsert.Insert(sqlite, layout, rows, rowsPerStatement: 10_000);
            transaction.Commit();
        }

        statements.ShouldBe((rows.Count + perStatement - 1) / perStatement);
        var stored = db.Rows($"SELECT fileName, processedFiles, timestamp FROM {ReadModelTables.ExecutionLog} ORDER BY id");
        stored.Count.ShouldBe(rows.Count);
        stored.Select(r => (string)r[0]!).ShouldBe(rows.Select(r => r.FileName!), "every row once, in order, across the statements");
        stored[^1][1].ShouldBe(7_999L);
        stored[^1][2].ShouldBe(rows[^1].Timestamp.ToString("yyyy-MM-dd HH:mm:ss.fff"));
    }

    [Fact]
    public async Task Should_copy_a_write_from_the_wal_into_the_database_file_beside_the_writer()
    {
        using var db = new TestDatabase("sqlite");
        ReadModelSchema.Create(db.Settings, Pipeline);
        var store = new ReadModelStore(db.Settings, Pipeline, 500);
        var file = new FileInfo(db.Settings.ReadModel.SqliteFile!);
        var before = file.Length;

        store.Write(Changes(5_000, sequenceNr: 1));

        // About a hundred pages: far below the 1,000 at which SQLite's own checkpoint would run in a commit.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (file.Length < before + 5_000 * 50 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            file.Refresh();
        }
        file.Length.ShouldBeGreaterThanOrEqualTo(before + 5_000 * 50, "the rows reached the database file, not only the WAL");
        db.Count($"SELECT COUNT(*) FROM {ReadModelTables.ExecutionLog}").ShouldBe(5_000);
    }

    [Theory]
    [InlineData(500, 9, 32_766, 500)]
    [InlineData(10_000, 9, 32_766, 3_640)]
    [InlineData(500, 12, 999, 83)]
    [InlineData(500, 40, 20, 1)]
    public void Should_take_as_many_rows_a_statement_as_wanted_and_the_parameter_limit_allow(int wanted, int columns, int limit, int expected) =>
        SqliteInsert.RowsPerStatement(wanted, columns, limit).ShouldBe(expected);

    /// <summary><paramref name="files"/> batchExecutionLog rows of one event, and the position they reach.</summary>
    private static ReadModelChanges Changes(int files, long sequenceNr)
    {
        var changes = new ReadModelChanges();
        var at = new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
        for (var i = 0; i < files; i++)
            changes.Log.Add(new LogRow(77, "denoise", ReadModelProjection.EventTypes.FileComplete, $"call-{i:D5}.wav", "done", null, i, "{}", at.AddMilliseconds(i)));
        changes.Expected[Actor] = sequenceNr - 1;
        changes.Offsets[Actor] = new Checkpoint(sequenceNr, files);
        return changes;
    }
}
