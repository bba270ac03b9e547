using System.Diagnostics;
using Cofi.Actors.Persistence;
using Cofi.Actors.Stages;
using LinqToDB.Data;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// Deletes one batch's data: the journal, tag and snapshot rows of its persistent actors (<c>batch-{id}</c> and
/// <c>batch-{id}-stage-{name}</c>, whatever stages it had), then every read-model row of it and the read model's
/// positions in those journals. Rows go in chunks of <c>chunkRows</c>, each chunk in its own short transaction, so no
/// table is locked for long; a purge stopped half way is finished by running it again. The journals go first: once
/// they are gone, no EventWriter can read the batch back into the read model. The audit trail is left as it is.
/// </summary>
public static class BatchPurge
{
    /// <summary>How long a purge waits for the read model to hold the last events of the batch's stages before deleting it.</summary>
    public static readonly TimeSpan ReadModelPatience = TimeSpan.FromSeconds(30);

    /// <returns>rows deleted, by table.</returns>
    public static async Task<IReadOnlyDictionary<string, long>> DeleteAsync(DatabaseSettings journal, long batchId, int chunkRows = 5_000,
        TimeSpan? readModelPatience = null)
    {
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "must be at least 1");
        var deleted = new Dictionary<string, long>(StringComparer.Ordinal) { [JournalTables.Journal] = 0, [JournalTables.Tags] = 0, [JournalTables.Snapshot] = 0 };
        var own = new DataParameter("own", $"batch-{batchId}");
        var batch = new DataParameter("batch", batchId);
        await AwaitReadModelAsync(journal, batchId, readModelPatience ?? ReadModelPatience);

        var jd = Dialect(journal);
        using (var connection = journal.Connect())
        {
            foreach (var id in PersistenceIds(connection, jd, batchId))
            {
                var pid = new DataParameter("pid", id);
                deleted[JournalTables.Tags] += Chunked(connection, jd, JournalTables.Tags, "persistence_id = @pid", "sequence_nr", chunkRows, pid);
                deleted[JournalTables.Journal] += Chunked(connection, jd, JournalTables.Journal, "persistence_id = @pid", "sequence_number", chunkRows, pid);
                deleted[JournalTables.Snapshot] += connection.Execute($"DELETE FROM {jd.Quote(JournalTables.Snapshot)} WHERE persistence_id = @pid", pid);
            }
        }

        var rd = Dialect(journal.ReadModel);
        using var readModel = journal.ReadModel.Connect();
        deleted[ReadModelTables.ExecutionLog] = Chunked(readModel, rd, ReadModelTables.ExecutionLog, $"{rd.Quote("batchId")} = @batch", "id", chunkRows, batch);
        deleted[ReadModelTables.ExecutionLogArchive] = Chunked(readModel, rd, ReadModelTables.ExecutionLogArchive, $"{rd.Quote("batchId")} = @batch", "id", chunkRows, batch);
        deleted[ReadModelTables.ProcessingLogs] = Chunked(readModel, rd, ReadModelTables.ProcessingLogs, "batch_id = @batch", "id", chunkRows, batch);
        deleted[ReadModelTables.FileDistribution] = Chunked(readModel, rd, ReadModelTables.FileDistribution, $"{rd.Quote("batchId")} = @batch", "file", chunkRows, batch);
        deleted[ReadModelTables.FileResults] = Chunked(readModel, rd, ReadModelTables.FileResults, "batch_id = @batch", "file_id", chunkRows, batch);
        deleted[ReadModelTables.BatchStatus] = readModel.Execute($"DELETE FROM {rd.Quote(ReadModelTables.BatchStatus)} WHERE id = @batch", batch);
        deleted[ReadModelTables.Offsets] = readModel.Execute(
            $"DELETE FROM {rd.Quote(ReadModelTables.Offsets)} WHERE persistence_id = @own OR persistence_id {rd.PrefixMatch} @stages", own, Stages(rd, batchId));
        return deleted;
    }

    /// <summary>Every persistence id of the batch that has a journal, tag or snapshot row left.</summary>
    private static List<string> PersistenceIds(DataConnection connection, SqlDialect d, long batchId)
    {
        var parameters = new[] { new DataParameter("own", $"batch-{batchId}"), Stages(d, batchId) };
        var match = $"persistence_id = @own OR persistence_id {d.PrefixMatch} @stages";
        return connection.Query<string>(string.Join(" UNION ", new[] { JournalTables.Journal, JournalTables.Tags, JournalTables.Snapshot }
            .Select(table => $"SELECT DISTINCT persistence_id FROM {d.Quote(table)} WHERE {match}")), parameters).ToList();
    }

    /// <summary>
    /// Waits (up to <paramref name="patience"/>) until the read model has projected every event in the journals of the
    /// batch's stages: rows an EventWriter still held would otherwise be written after the purge.
    /// </summary>
    private static async Task AwaitReadModelAsync(DatabaseSettings journal, long batchId, TimeSpan patience)
    {
        var started = Stopwatch.GetTimestamp();
        var jd = Dialect(journal);
        var rd = Dialect(journal.ReadModel);
        while (true)
        {
            Dictionary<string, long> heads, offsets;
            using (var connection = journal.Connect())
                heads = connection.Query(r => (Id: r.GetString(0), Seq: r.GetInt64(1)),
                        $"SELECT persistence_id, MAX(sequence_number) FROM {jd.Quote(JournalTables.Journal)} WHERE persistence_id {jd.PrefixMatch} @stages GROUP BY persistence_id",
                        Stages(jd, batchId))
                    .ToDictionary(x => x.Id, x => x.Seq, StringComparer.Ordinal);
            using (var connection = journal.ReadModel.Connect())
                offsets = connection.Query(r => (Id: r.GetString(0), Seq: r.GetInt64(1)),
                        $"SELECT persistence_id, sequence_nr FROM {rd.Quote(ReadModelTables.Offsets)} WHERE persistence_id {rd.PrefixMatch} @stages", Stages(rd, batchId))
                    .ToDictionary(x => x.Id, x => x.Seq, StringComparer.Ordinal);
            if (heads.All(h => offsets.GetValueOrDefault(h.Key) >= h.Value) || Stopwatch.GetElapsedTime(started) > patience) return;
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Deletes the rows <paramref name="where"/> selects, <paramref name="chunkRows"/> at a time in <paramref name="key"/>
    /// order, each chunk in its own transaction; returns how many.
    /// </summary>
    private static long Chunked(DataConnection connection, SqlDialect d, string table, string where, string key, int chunkRows, DataParameter parameter)
    {
        var k = d.Quote(key);
        long deleted = 0;
        while (true)
        {
            // The largest key of the next chunk: the chunk is every selected row up to it.
            var last = connection.Execute<object?>(
                $"SELECT MAX({k}) FROM (SELECT {k} FROM {d.Quote(table)} WHERE {where} ORDER BY {k} LIMIT {chunkRows}) AS chunk", parameter);
            if (last is null or DBNull) return deleted;
            using var transaction = connection.BeginTransaction();
            deleted += connection.Execute($"DELETE FROM {d.Quote(table)} WHERE {where} AND {k} <= @last", parameter, new DataParameter("last", last));
            transaction.Commit();
        }
    }

    /// <summary>The pattern of the batch's stage ids, for <see cref="SqlDialect.PrefixMatch"/>.</summary>
    private static DataParameter Stages(SqlDialect d, long batchId) => new("stages", d.Prefix(StageActor.PersistenceIdFor(batchId, "")));

    private static SqlDialect Dialect(DatabaseSettings db) => db.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite;
}
