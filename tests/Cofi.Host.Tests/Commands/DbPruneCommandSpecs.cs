using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Tests.ReadModel;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Runtime;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>
/// <c>db prune</c> on a database no coordinator uses, SQLite and MariaDB: the batch that ended before the cut-off goes
/// whole and the later one stays; a dry run deletes nothing. While a coordinator uses the database it refuses and
/// says to prune through the service.
/// </summary>
public sealed class DbPruneCommandSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_prune_the_batch_that_ended_before_the_cutoff_whole_and_keep_the_later_one(string kind)
    {
        using var db = new TestDatabase(kind);
        using var dir = new TempDirectory();
        BatchFinished old, later;
        await using (var host = await PipelineHost.StartAsync(db.Settings, "cofi.persistence { record-group-size = 2, snapshot-every = 2 }"))
        {
            SampleBatch.Generate(dir.File("old"), 6, corrupt: 1);
            SampleBatch.Generate(dir.File("later"), 4, corrupt: 0);
            old = await host.RunAsync(dir.File("old"));
            later = await host.RunAsync(dir.File("later"));
            await host.DrainEventWriterAsync();
        }
        var oldBefore = BatchRows.Counts(db, old.BatchId);
        var laterBefore = BatchRows.Counts(db, later.BatchId);
        var target = db.Settings.IsSqlite ? db.Settings.SqliteFile! : db.Settings.ConnectionString;
        var cutoff = old.At.AddMilliseconds(1).ToString("O");

        var dryRun = await CofiProcess.RunAsync(Timeout, "db", "prune", "--ended-before", cutoff, "--dry-run", "--db", target);
        var afterDryRun = BatchRows.Counts(db, old.BatchId);
        var (code, stdout, stderr) = await CofiProcess.RunAsync(Timeout, "db", "prune", "--ended-before", cutoff, "--chunk", "10", "--db", target);

        dryRun.ExitCode.ShouldBe(0, dryRun.Stderr);
        dryRun.Stdout.ShouldContain("1 batch that ended before");
        dryRun.Stdout.ShouldContain("would be pruned");
        afterDryRun.ShouldBe(oldBefore, "a dry run deletes nothing");
        code.ShouldBe(0, stderr);
        stdout.ShouldContain($"batch {old.BatchId}  completed");
        stdout.ShouldContain("prune: 1 of 1 batches purged");
        stdout.ShouldContain($"  {ReadModelTables.ProcessingLogs,-26}{oldBefore[ReadModelTables.ProcessingLogs],14:N0} rows");
        BatchRows.Counts(db, old.BatchId).Values.ShouldAllBe(rows => rows == 0);
        BatchRows.Counts(db, later.BatchId).ShouldBe(laterBefore);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_refuse_while_a_coordinator_uses_the_database_and_name_the_service_route(string kind)
    {
        using var db = new TestDatabase(kind);
        var config = CofiConfig.Load();
        await using var running = await CofiRuntime.StartAsync(NodePlan.Embedded(web: false), config, CofiSettings.FromConfig(config), db.Settings);
        await Poll.UntilAsync(() => Task.FromResult(db.Settings.IsSqlite || ManagerLock.IsHeld(db.Settings)), held => held, "the batch manager's lock", TimeSpan.FromSeconds(30));
        var target = db.Settings.IsSqlite ? db.Settings.SqliteFile! : db.Settings.ConnectionString;

        var (code, _, stderr) = await CofiProcess.RunAsync(Timeout, "db", "prune", "--older-than", "90d", "--db", target);

        code.ShouldBe(4, stderr);
        stderr.ShouldContain("cofi batch prune --older-than 90d (POST /api/prune)");
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
