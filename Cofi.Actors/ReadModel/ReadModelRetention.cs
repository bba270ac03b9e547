using Cofi.Actors.Persistence;
using LinqToDB.Data;

namespace Cofi.Actors.ReadModel;

/// <summary>
/// Deletes batchExecutionLog rows older than a cut-off, optionally copying them into batchExecutionLog_archive first,
/// in chunks of <c>chunkRows</c> rows, each in its own short transaction: the table is never locked for long, and a
/// prune stopped half way leaves every row either still in the log or already in the archive (never lost, never twice:
/// the archive keeps the original id as its key).
/// </summary>
public static class ReadModelRetention
{
    /// <summary>What a prune did: rows copied into the archive, rows deleted from the log, and the chunks it took.</summary>
    public sealed record PruneResult(long Archived, long Deleted, int Chunks);

    private static readonly string[] Columns = ["id", "batchId", "stage", "eventType", "fileName", "status", "totalFiles", "processedFiles", "payload", "timestamp"];

    public static PruneResult Prune(DatabaseSettings db, DateTime cutoffUtc, bool archive, int chunkRows = 5_000, Action<PruneResult>? progress = null)
    {
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "must be at least 1");
        var d = db.IsMySql ? SqlDialect.MySql : SqlDialect.Sqlite;
        var log = d.Quote(ReadModelTables.ExecutionLog);
        var columns = string.Join(", ", Columns.Select(d.Quote));
        var old = $"{d.Quote("id")} <= @last AND {d.Quote("timestamp")} < @cutoff";
        var copy = d.IsMySql
            ? $"INSERT IGNORE INTO {d.Quote(ReadModelTables.ExecutionLogArchive)} ({columns}) SELECT {columns} FROM {log} WHERE {old}"
            : $"INSERT OR IGNORE INTO {d.Quote(ReadModelTables.ExecutionLogArchive)} ({columns}) SELECT {columns} FROM {log} WHERE {old}";
        var cutoff = new DataParameter("cutoff", cutoffUtc);
        long archived = 0, deleted = 0;
        var chunks = 0;
        using var connection = db.ReadModel.Connect();
        while (true)
        {
            // The newest id of the next chunk of old rows: the chunk is every old row up to it.
            var last = connection.Execute<long?>(
                $"SELECT MAX({d.Quote("id")}) FROM (SELECT {d.Quote("id")} FROM {log} WHERE {d.Quote("timestamp")} < @cutoff ORDER BY {d.Quote("id")} LIMIT {chunkRows}) AS chunk",
                cutoff);
            if (last is null) break;
            var range = new[] { new DataParameter("last", last.Value), cutoff };
            using (var transaction = connection.BeginTransaction())
            {
                if (archive) archived += connection.Execute(copy, range);
                deleted += connection.Execute($"DELETE FROM {log} WHERE {old}", range);
                transaction.Commit();
            }
            chunks++;
            progress?.Invoke(new PruneResult(archived, deleted, chunks));
        }
        return new PruneResult(archived, deleted, chunks);
    }
}
