using Cofi.Actors.Persistence;
using LinqToDB.Data;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// The by-age part of a prune: read-model rows older than a cut-off whose batch the BatchManager does not know (left
/// by the deployment Cofi replaces, or by a batch purged before purges deleted everything). Known batches are pruned
/// whole through their purge instead. Rows go per batch in chunks of <c>chunkRows</c>, each chunk in its own short
/// transaction, so no table is locked for long. <c>fileDistribution</c> has no time column: its rows are left.
/// </summary>
public static class ReadModelRetention
{
    /// <summary>Each read-model table with a time column: the column naming the batch, the time column, and the key rows go in order of.</summary>
    private static readonly (string Table, string Batch, string Time, string Key)[] Aged =
    [
        (ReadModelTables.ExecutionLog, "batchId", "timestamp", "id"),
        (ReadModelTables.ExecutionLogArchive, "batchId", "timestamp", "id"),
        (ReadModelTables.ProcessingLogs, "batch_id", "created_at", "id"),
        (ReadModelTables.FileResults, "batch_id", "completed_at", "file_id"),
    ];

    /// <summary>Deletes (or with <paramref name="dryRun"/> counts) the rows older than <paramref name="cutoffUtc"/> of batches not in <paramref name="isKnown"/>.</summary>
    /// <param name="deletedSoFar">told the rows deleted so far after each chunk.</param>
    /// <returns>rows by table.</returns>
    public static IReadOnlyDictionary<string, long> Prune(DatabaseSettings db, DateTime cutoffUtc, Func<long, bool> isKnown, bool dryRun,
        int chunkRows = BatchPurge.DefaultChunkRows, Action<long>? deletedSoFar = null)
    {
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "must be at least 1");
        var d = BatchPurge.Dialect(db.ReadModel);
        var cutoff = new DataParameter("cutoff", cutoffUtc);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        using var connection = db.ReadModel.Connect();
        foreach (var (table, batchColumn, time, key) in Aged)
        {
            var old = $"{d.Quote(time)} < @cutoff";
            var batches = connection.Query<long>($"SELECT DISTINCT {d.Quote(batchColumn)} FROM {d.Quote(table)} WHERE {old}", cutoff).Where(b => !isKnown(b)).ToList();
            rows[table] = 0;
            foreach (var batchId in batches)
            {
                var where = $"{d.Quote(batchColumn)} = @batch AND {old}";
                var batch = new DataParameter("batch", batchId);
                rows[table] += dryRun
                    ? connection.Execute<long>($"SELECT COUNT(*) FROM {d.Quote(table)} WHERE {where}", batch, cutoff)
                    : BatchPurge.Chunked(connection, d, table, where, key, chunkRows, chunk => deletedSoFar?.Invoke(total += chunk), batch, cutoff);
            }
        }
        return rows;
    }
}
