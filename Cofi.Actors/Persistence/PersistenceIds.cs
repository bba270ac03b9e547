namespace Cofi.Actors.Persistence;

/// <summary>
/// Every persistence id Cofi writes, and the patterns that find them in the journal's tables: the BatchManager's one,
/// a batch supervisor's <c>batch-{id}</c>, and a stage's <c>batch-{id}-stage-{name}</c> (distribution included).
/// </summary>
public static class PersistenceIds
{
    public const string BatchManager = "batch-manager";

    /// <summary>SQL <c>LIKE</c> pattern of every stage of every batch.</summary>
    public const string AnyStageLike = "batch-%-stage-%";

    public static string Batch(long batchId) => $"batch-{batchId}";

    public static string Stage(long batchId, string stage) => StagesOf(batchId) + stage;

    /// <summary>What the ids of a batch's stages begin with, whatever stages it had.</summary>
    public static string StagesOf(long batchId) => $"batch-{batchId}-stage-";
}
