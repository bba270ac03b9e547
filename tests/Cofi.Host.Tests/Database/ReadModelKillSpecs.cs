using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.ReadModel;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Database;

public sealed class ReadModelKillSpecs : IDisposable
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];
    private static readonly HashSet<string> Flagged = ["denoise", "ivr", "lid", "stt", "llm1", "llm2"];
    private readonly TempDirectory _dir = new();

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_agree_with_the_journal_after_SIGKILLs_mid_batch_and_mid_flush_and_a_resume(string kind)
    {
        const int files = 600;
        using var db = new TestDatabase(kind);
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, files, 2);
        // Small, frequent flushes: the kills below land while one is being written, not only between them.
        var config = _dir.File("flush.conf");
        await File.WriteAllTextAsync(config, "cofi.event-writer { flush-rows = 40, flush-interval = 10ms }");
        var target = db.Settings.IsSqlite ? db.Settings.SqliteFile! : db.Settings.ConnectionString;
        string[] run = ["run", "--input", input, "--db", target, "--config", config, "--latency", "2", "--gpus", "2"];

        foreach (var rows in new[] { 300, 1_500, 3_000 })
        {
            using var process = CofiProcess.Start(run);
            await Until(() => LogRows(db) >= rows, TimeSpan.FromMinutes(3), process);
            process.Kill();
        }
        LogRows(db).ShouldBeLessThan(files * Stages.Length, "the kills came before the batch finished");

        var (code, stdout, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(5), run);

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("execution log: ", Case.Sensitive, "the summary reports the EventWriter's figures");
        await using var check = await PipelineHost.StartAsync(db.Settings, runBatches: false);
        var problems = await ReadModelComparison.DifferencesAsync(check.Journal(), db.Settings, 1, Stages, Flagged);
        problems.ShouldBeEmpty(string.Join("\n", problems.Take(20)));
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE eventType = 'stage_complete'").ShouldBe(Stages.Length);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE eventType = 'stage_start'").ShouldBe(Stages.Length);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE eventType = 'stage_progress'").ShouldBe(Stages.Length * (files / 100), "every 100 files per stage, none twice");
    }

    private static long LogRows(TestDatabase db)
    {
        try
        {
            return db.Count("SELECT COUNT(*) FROM batchExecutionLog");
        }
        catch (Exception)
        {
            return 0;
        }
    }

    private static async Task Until(Func<bool> condition, TimeSpan timeout, CofiProcess process)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met in {timeout}\n{process.Stdout}\n{process.Stderr}");
            await Task.Delay(10);
        }
    }

    public void Dispose() => _dir.Dispose();
}
