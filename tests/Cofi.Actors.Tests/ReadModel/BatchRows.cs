using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.ReadModel;

/// <summary>One batch's rows everywhere a purge deletes them: each read-model table, the read model's offsets, and the journal, tag and snapshot rows of its persistence ids.</summary>
public static class BatchRows
{
    /// <summary>Each read-model table with the column that names the batch.</summary>
    private static readonly (string Table, string Column)[] BatchTables =
    [
        (ReadModelTables.BatchStatus, "id"),
        (ReadModelTables.ExecutionLog, "batchId"),
        (ReadModelTables.ExecutionLogArchive, "batchId"),
        (ReadModelTables.ProcessingLogs, "batch_id"),
        (ReadModelTables.FileDistribution, "batchId"),
        (ReadModelTables.FileResults, "batch_id"),
    ];

    /// <summary>Rows of the batch by table.</summary>
    public static Dictionary<string, long> Counts(TestDatabase db, long batchId)
    {
        var counts = BatchTables.ToDictionary(t => t.Table, t => db.Count($"SELECT COUNT(*) FROM {Quote(db, t.Table)} WHERE {Quote(db, t.Column)} = {batchId}"));
        counts[ReadModelTables.Offsets] = db.Count($"SELECT COUNT(*) FROM readmodel_offsets WHERE {IdsOf("persistence_id", batchId)}");
        using var journal = db.Settings.OpenRawConnection();
        foreach (var table in new[] { JournalTables.Journal, JournalTables.Tags, JournalTables.Snapshot })
            counts[table] = Convert.ToInt64(ReadModelComparison.Scalar(journal, $"SELECT COUNT(*) FROM {table} WHERE {IdsOf("persistence_id", batchId)}"));
        return counts;
    }

    /// <summary>The batch's persistence ids that have journal rows.</summary>
    public static List<string> JournalIds(DatabaseSettings db, long batchId)
    {
        using var journal = db.OpenRawConnection();
        return ReadModelComparison.Rows(journal, $"SELECT DISTINCT persistence_id FROM journal WHERE {IdsOf("persistence_id", batchId)}").Select(r => (string)r[0]!).ToList();
    }

    public static string Quote(TestDatabase db, string name) => db.Settings.IsMySql ? $"`{name}`" : $"\"{name}\"";

    private static string IdsOf(string column, long batchId) => $"({column} = 'batch-{batchId}' OR {column} LIKE 'batch-{batchId}-stage-%')";
}
