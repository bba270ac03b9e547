using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;

namespace Cofi.Actors.Tests.ReadModel;

public sealed class ReadModelRetentionSpecs
{
    private static readonly DateTime Now = OldLogRows.Now;

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public void Should_archive_then_delete_the_rows_older_than_the_cutoff_in_chunks_and_keep_the_rest(string kind)
    {
        using var db = new TestDatabase(kind);
        OldLogRows.Seed(db.Settings);
        var before = db.Rows("SELECT id, batchId, stage, eventType, fileName, status, payload FROM batchExecutionLog WHERE batchId = 1 ORDER BY id");

        var result = ReadModelRetention.Prune(db.Settings, Now.AddDays(-90), archive: true, chunkRows: 7);

        result.ShouldBe(new ReadModelRetention.PruneResult(30, 30, 5));
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 1").ShouldBe(0);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog").ShouldBe(10);
        var archived = db.Rows("SELECT id, batchId, stage, eventType, fileName, status, payload FROM batchExecutionLog_archive ORDER BY id");
        archived.Count.ShouldBe(30);
        for (var i = 0; i < 30; i++) archived[i].ShouldBe(before[i], "the archive keeps each row as it was, id included");
        ReadModelRetention.Prune(db.Settings, Now.AddDays(-90), archive: true).ShouldBe(new ReadModelRetention.PruneResult(0, 0, 0));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public void Should_only_delete_without_archive(string kind)
    {
        using var db = new TestDatabase(kind);
        OldLogRows.Seed(db.Settings);

        var result = ReadModelRetention.Prune(db.Settings, Now.AddDays(-30), archive: false);

        result.ShouldBe(new ReadModelRetention.PruneResult(0, 35, 1));
        db.Count("SELECT COUNT(*) FROM batchExecutionLog").ShouldBe(5);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog_archive").ShouldBe(0);
    }
}
