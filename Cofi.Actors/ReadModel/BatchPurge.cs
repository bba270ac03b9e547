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
    public const int DefaultChunkRows = 5_000;

    /// <summary>How long a purge waits for the read model to hold the last events of the batch's stages before deleting it.</summary>
    public static readonly TimeSpan ReadModelPatience = TimeSpan.FromSeconds(30);

    /// <summary>Each read-model table that holds rows of many files of a batch: the column naming the batch, and the key its rows go in order of.</summary>
    public static readonly IReadOnlyList<(string Table, string Batch, string Key)> FileTables =
    [
        (ReadModelTables.ExecutionLog, "batchId", "id"),
        (ReadModelTables.ExecutionLogArchive, "batchId", "id"),
        (ReadModelTables.ProcessingLogs, "batch_id", "id"),
        (ReadModelTables.FileDistribution, "batchId", "file"),
        (ReadModelTables.FileResults, "batch_id", "file_id"),
    ];

    private static readonly string[] JournalTableNames = [JournalTables.Journal, JournalTables.Tags, JournalTables.Snapshot];

    /// <param name="deletedSoFar">told the rows deleted so far after each chunk.</param>
    /// <returns>rows deleted, by table.</returns>
    public static async Task<IReadOnlyDictionary<string, long>> DeleteAsync(DatabaseSettings journal, long batchId, int chunkRows = DefaultChunkRows,
        TimeSpan? readModelPatience = null, Action<long>? deletedSoFar = null)
    {
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "must be at least 1");
        var deleted = new Dictionary<string, long>(StringComparer.Ordinal) { [JournalTables.Journal] = 0, [JournalTables.Tags] = 0, [JournalTables.Snapshot] = 0 };
        long total = 0;
        void Chunk(long rows) => deletedSoFar?.Invoke(total += rows);
        var batch = new DataParameter("batch", batchId);
        await AwaitReadModelAsync(journal, batchId, readModelPatience ?? ReadModelPatience);

        var jd = Dialect(journal);
        using (var connection = journal.Connect())
        {
            foreach (var id in PersistenceIds(connection, jd, batchId))
            {
                var pid = new DataParameter("pid", id);
                deleted[JournalTables.Tags] += Chunked(connection, jd, JournalTables.Tags, "persistence_id = @pid", "sequence_nr", chunkRows, Chunk, pid);
                deleted[JournalTables.Journal] += Chunked(connection, jd, JournalTables.Journal, "persistence_id = @pid", "sequence_number", chunkRows, Chunk, pid);
                deleted[JournalTables.Snapshot] += connection.Execute($"DELETE FROM {jd.Quote(JournalTables.Snapshot)} WHERE persistence_id = @pid", pid);
            }
        }

        var rd = Dialect(journal.ReadModel);
        using var readModel = journal.ReadModel.Connect();
        foreach (var (table, column, key) in FileTables)
            deleted[table] = Chunked(readModel, rd, table, $"{rd.Quote(column)} = @batch", key, chunkRows, Chunk, batch);
        deleted[ReadModelTables.BatchStatus] = readModel.Execute($"DELETE FROM {rd.Quote(ReadModelTables.BatchStatus)} WHERE id = @batch", batch);
        deleted[ReadModelTables.Offsets] = readModel.Execute($"DELETE FROM {rd.Quote(ReadModelTables.Offsets)} WHERE {OwnIds(rd)}", OwnIds(rd, batchId));
        return deleted;
    }

    /// <summary>The rows a purge of each of <paramref name="batchIds"/> would delete, summed by table, as <see cref="DeleteAsync"/> names them.</summary>
    public static IReadOnlyDictionary<string, long> Count(DatabaseSettings journal, IEnumerable<long> batchIds)
    {
        var counts = JournalTableNames.Concat(FileTables.Select(t => t.Table)).Append(ReadModelTables.BatchStatus).Append(ReadModelTables.Offsets)
            .ToDictionary(t => t, _ => 0L, StringComparer.Ordinal);
        var jd = Dialect(journal);
        var rd = Dialect(journal.ReadModel);
        using var connection = journal.Connect();
        using var readModel = journal.ReadModel.Connect();
        foreach (var batchId in batchIds)
        {
            var batch = new DataParameter("batch", batchId);
            foreach (var table in JournalTableNames)
                counts[table] += connection.Execute<long>($"SELECT COUNT(*) FROM {jd.Quote(table)} WHERE {OwnIds(jd)}", OwnIds(jd, batchId));
            foreach (var (table, column, _) in FileTables)
                counts[table] += readModel.Execute<long>($"SELECT COUNT(*) FROM {rd.Quote(table)} WHERE {rd.Quote(column)} = @batch", batch);
            counts[ReadModelTables.BatchStatus] += readModel.Execute<long>($"SELECT COUNT(*) FROM {rd.Quote(ReadModelTables.BatchStatus)} WHERE id = @batch", batch);
            counts[ReadModelTables.Offsets] += readModel.Execute<long>($"SELECT COUNT(*) FROM {rd.Quote(ReadModelTables.Offsets)} WHERE {OwnIds(rd)}", OwnIds(rd, batchId));
        }
        return counts;
    }

    /// <summary>Every persistence id of the batch that has a journal, tag or snapshot row left.</summary>
    private static List<string> PersistenceIds(DataConnection connection, SqlDialect d, long batchId) =>
        connection.Query<string>(string.Join(" UNION ", JournalTableNames.Select(table => $"SELECT DISTINCT persistence_id FROM {d.Quote(table)} WHERE {OwnIds(d)}")),
            OwnIds(d, batchId)).ToList();

    /// <summary>Matches the batch's own persistence id and its stages' (with the parameters of <see cref="OwnIds(SqlDialect, long)"/>).</summary>
    private static string OwnIds(SqlDialect d) => $"(persistence_id = @own OR persistence_id {d.PrefixMatch} @stages)";

    private static DataParameter[] OwnIds(SqlDialect d, long batchId) => [new DataParameter("own", Persistence.PersistenceIds.Batch(batchId)), Stages(d, batchId)];

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
    /// order, each chunk in its own transaction, telling <paramref name="chunk"/> the rows of each; returns how many in all.
    /// </summary>
    internal static long Chunked(DataConnection connection, SqlDialect d, string table, string where, string key, int chunkRows, Action<long> chunk,
        params DataParameter[] parameters)
    {
        var k = d.Quote(key);
        long deleted = 0;
        while (true)
        {
            // The largest key of the next chunk: the chunk is every selected row up to it.
            var last = connection.Execute<object?>(
                $"SELECT MAX({k}) FROM (SELECT {k} FROM {d.Quote(table)} WHERE {where} ORDER BY {k} LIMIT {chunkRows}) AS chunk", parameters);
            if (last is null or DBNull) return deleted;
            using var transaction = connection.BeginTransaction();
            var rows = connection.Execute($"DELETE FROM {d.Quote(table)} WHERE {where} AND {k} <= @last", [.. parameters, new DataParameter("last", last)]);
            transaction.Commit();
            deleted += rows;
            chunk(rows);
        }
    }

    /// <summary>The pattern of the batch's stage ids, for <see cref="SqlDialect.PrefixMatch"/>.</summary>
    private static DataParameter Stages(SqlDialect d, long batchId) => new("stages", d.Prefix(Persistence.PersistenceIds.StagesOf(batchId)));

    internal static SqlDialect Dialect(DatabaseSettings db) => db.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite;
}
