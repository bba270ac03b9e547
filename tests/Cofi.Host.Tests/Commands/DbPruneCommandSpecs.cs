using Cofi.Actors.Tests.ReadModel;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

public sealed class DbPruneCommandSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_archive_and_delete_the_rows_older_than_90_days(string kind)
    {
        using var db = new TestDatabase(kind);
        OldLogRows.Seed(db.Settings);
        var target = db.Settings.IsSqlite ? db.Settings.SqliteFile! : db.Settings.ConnectionString;

        var (code, stdout, stderr) = await CofiProcess.RunAsync(Timeout, "db", "prune", "--older-than", "90d", "--archive", "--chunk", "10", "--db", target);

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("pruned: 30 batchExecutionLog rows older than");
        stdout.ShouldContain("30 of them copied into batchExecutionLog_archive first, in 3 chunks");
        db.Count("SELECT COUNT(*) FROM batchExecutionLog").ShouldBe(10);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog_archive WHERE batchId = 1").ShouldBe(30);
    }

    [Fact]
    public async Task Should_exit_3_naming_the_option_of_an_age_it_cannot_read()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await CofiProcess.RunAsync(Timeout, "db", "prune", "--older-than", "3 months", "--db", dir.File("c.db"));

        code.ShouldBe(3);
        stderr.ShouldContain("invalid configuration at '--older-than'");
    }
}
