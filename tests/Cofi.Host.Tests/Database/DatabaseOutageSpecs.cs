using System.Diagnostics;
using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Database;

public sealed class DatabaseOutageSpecs : IDisposable
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];
    private static readonly HashSet<string> Flagged = ["denoise", "ivr", "lid", "stt", "llm1", "llm2"];
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_pause_the_batch_while_MariaDB_is_stopped_for_20_s_and_finish_it_without_losing_a_row_once_it_is_back()
    {
        const int files = 800;
        await using var server = await PrivateMariaDb.StartAsync();
        var db = DatabaseSettings.MySql(server.ConnectionString);
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, files, 2);
        using var process = CofiProcess.Start("run", "--input", input, "--db", server.ConnectionString, "--latency", "5", "--gpus", "2");

        await Until(() => LogRows(db) >= 1_500, TimeSpan.FromMinutes(3), process);
        await server.StopAsync();
        var down = Stopwatch.StartNew();
        while (down.Elapsed < TimeSpan.FromSeconds(20))
        {
            process.HasExited.ShouldBeFalse($"the process gave up while the database was down\n{process.Stdout}\n{process.Stderr}");
            await Task.Delay(500);
        }
        await server.StartAgainAsync();
        var code = await process.WaitForExitAsync(TimeSpan.FromMinutes(5));

        code.ShouldBe(0, process.Stdout + process.Stderr);
        process.Stdout.ShouldContain("keeping them and retrying", Case.Sensitive, "the EventWriter held its rows while the database was down");
        process.Stdout.ShouldContain("batch 1: completed");
        await using var check = await PipelineHost.StartAsync(db, runBatches: false);
        var problems = await ReadModelComparison.DifferencesAsync(check.Journal(), db, 1, Stages, Flagged);
        problems.ShouldBeEmpty(string.Join("\n", problems.Take(20)));
        Count(db, "SELECT COUNT(*) FROM batchExecutionLog WHERE eventType = 'stage_complete'").ShouldBe(Stages.Length);
        Count(db, "SELECT COUNT(*) FROM batchExecutionLog WHERE eventType = 'stage_progress'").ShouldBe(Stages.Length * (files / 100));
    }

    private static long Count(DatabaseSettings db, string sql)
    {
        using var connection = db.OpenRawConnection();
        return Convert.ToInt64(ReadModelComparison.Scalar(connection, sql));
    }

    private static long LogRows(DatabaseSettings db)
    {
        try
        {
            return Count(db, "SELECT COUNT(*) FROM batchExecutionLog");
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
            await Task.Delay(20);
        }
    }

    public void Dispose() => _dir.Dispose();
}
