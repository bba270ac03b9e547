using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.ReadModel;

/// <summary>
/// <see cref="BatchPurge"/> on both databases: chunk by chunk it deletes one batch's journals and read-model rows and
/// nothing of another batch's, and a purge that stopped half way (its journals gone, its read-model rows not) is
/// finished by running it again.
/// </summary>
public sealed class BatchPurgeSpecs : IDisposable
{
    private static readonly string[] Stages = ReadModelComparison.Stages;
    private static readonly HashSet<string> Flagged = ReadModelComparison.Flagged;
    private readonly TempDirectory _dir = new();

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_delete_one_batch_in_small_chunks_and_finish_an_interrupted_purge_when_run_again(string kind)
    {
        using var db = new TestDatabase(kind);
        await using var host = await PipelineHost.StartAsync(db.Settings, "cofi.persistence { record-group-size = 3, snapshot-every = 2 }");
        foreach (var name in new[] { "kept", "purged", "interrupted" })
        {
            SampleBatch.Generate(_dir.File(name), 12, corrupt: 2);
            await host.RunAsync(_dir.File(name));
        }
        await host.DrainEventWriterAsync();
        var logRows = db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 2");
        var journalRows = JournalRows(db, 2);

        var deleted = await BatchPurge.DeleteAsync(db.Settings, 2, chunkRows: 3);

        deleted[JournalTables.Journal].ShouldBe(journalRows);
        deleted[ReadModelTables.ExecutionLog].ShouldBe(logRows);
        deleted[ReadModelTables.FileDistribution].ShouldBe(12);
        deleted[ReadModelTables.FileResults].ShouldBe(12);
        deleted[ReadModelTables.BatchStatus].ShouldBe(1);
        RowsOf(db, 2).ShouldBe(0);
        JournalRows(db, 2).ShouldBe(0);
        var problems = await ReadModelComparison.DifferencesAsync(host.Journal(), db.Settings, 1, Stages, Flagged);
        problems.ShouldBeEmpty(string.Join("\n", problems));

        Execute(db.Settings, "DELETE FROM journal WHERE persistence_id = 'batch-3' OR persistence_id LIKE 'batch-3-stage-%'");
        RowsOf(db, 3).ShouldBeGreaterThan(0);

        var finished = await BatchPurge.DeleteAsync(db.Settings, 3, chunkRows: 3, readModelPatience: TimeSpan.Zero);

        finished[JournalTables.Journal].ShouldBe(0);
        finished[JournalTables.Snapshot].ShouldBeGreaterThan(0);
        finished[ReadModelTables.Offsets].ShouldBe(Stages.Length);
        RowsOf(db, 3).ShouldBe(0);
        (await BatchPurge.DeleteAsync(db.Settings, 3)).Values.ShouldAllBe(rows => rows == 0);
        (await ReadModelComparison.DifferencesAsync(host.Journal(), db.Settings, 1, Stages, Flagged)).ShouldBeEmpty();
    }

    /// <summary>The batch's rows in every read-model table and the read model's offsets.</summary>
    private static long RowsOf(TestDatabase db, long batchId) =>
        db.Count($"SELECT COUNT(*) FROM batchStatus WHERE id = {batchId}")
        + db.Count($"SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = {batchId}")
        + db.Count($"SELECT COUNT(*) FROM processing_logs WHERE batch_id = {batchId}")
        + db.Count($"SELECT COUNT(*) FROM fileDistribution WHERE batchId = {batchId}")
        + db.Count($"SELECT COUNT(*) FROM file_results WHERE batch_id = {batchId}")
        + db.Count($"SELECT COUNT(*) FROM readmodel_offsets WHERE persistence_id LIKE 'batch-{batchId}-stage-%'");

    private static long JournalRows(TestDatabase db, long batchId)
    {
        using var connection = db.Settings.OpenRawConnection();
        return Convert.ToInt64(ReadModelComparison.Scalar(connection,
            $"SELECT COUNT(*) FROM journal WHERE persistence_id = 'batch-{batchId}' OR persistence_id LIKE 'batch-{batchId}-stage-%'"));
    }

    private static void Execute(DatabaseSettings db, string sql)
    {
        using var connection = db.OpenRawConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _dir.Dispose();
}
