using Cofi.Actors.ReadModel;

namespace Cofi.Actors.Tests.ReadModel;

/// <summary>The by-age part of a prune: only old rows of batches the BatchManager does not know go, in chunks; a dry run counts them.</summary>
public sealed class ReadModelRetentionSpecs
{
    private static readonly DateTime Now = OldLogRows.Now;

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public void Should_delete_the_old_rows_of_unknown_batches_in_chunks_and_keep_a_known_batch_and_newer_rows(string kind)
    {
        using var db = new TestDatabase(kind);
        OldLogRows.Seed(db.Settings);
        var progress = new List<long>();
        Func<long, bool> knowsBatch1 = id => id == 1;

        var counted = ReadModelRetention.Prune(db.Settings, Now.AddDays(-30), id => id == 1, dryRun: true);
        var countedRows = db.Count("SELECT COUNT(*) FROM batchExecutionLog");
        var deleted = ReadModelRetention.Prune(db.Settings, Now.AddDays(-30), knowsBatch1, dryRun: false, chunkRows: 2, deletedSoFar: progress.Add);

        counted[ReadModelTables.ExecutionLog].ShouldBe(5);
        countedRows.ShouldBe(40, "a dry run deletes nothing");
        deleted[ReadModelTables.ExecutionLog].ShouldBe(5, "batch 2's rows are 89 days old and no batch the manager knows");
        progress.ShouldBe([2, 4, 5]);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 1").ShouldBe(30, "a known batch is pruned whole through its purge, not by age");
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 2").ShouldBe(0);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 3").ShouldBe(5);
        ReadModelRetention.Prune(db.Settings, Now.AddDays(-30), knowsBatch1, dryRun: false).Values.ShouldAllBe(rows => rows == 0);
    }
}
