using Cofi.Actors.Executors;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

public sealed class RunResumeSpecs : IDisposable
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_resume_a_run_killed_with_SIGKILL_half_way_without_calling_completed_work_again()
    {
        const int files = 400;
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, files, 2);
        var db = _dir.File("cofi.db");
        var calls = _dir.File("calls.log");
        string[] run = ["run", "--input", input, "--db", db, "--call-log", calls, "--latency", "4", "--gpus", "2"];

        int killedAfterCalls;
        using (var first = CofiProcess.Start(run))
        {
            // About half of the ~2,000 model calls this batch makes.
            await Until(() => FileCallRecorder.Read(calls).Count >= 1_000, TimeSpan.FromMinutes(3), first);
            first.Kill();
            killedAfterCalls = FileCallRecorder.Read(calls).Count;
        }

        var settledBefore = new Dictionary<string, HashSet<string>>();
        await using (var reader = await PipelineHost.StartAsync(db, runBatches: false))
        {
            foreach (var stage in Stages)
                settledBefore[stage] = (await reader.Journal().StageRecordsAsync(1, stage)).Values.Select(r => r.Name).ToHashSet();
        }
        settledBefore["metadata"].Count.ShouldBeLessThan(files, "the kill came before the batch finished");
        settledBefore["denoise"].Count.ShouldBeGreaterThan(0, "the kill came after work was recorded");

        var (code, stdout, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(5), run);

        code.ShouldBe(0, stderr);
        stdout.ShouldMatch(@"resuming batch 1: [\d,]+ of 400 files done at \w+");
        var secondRun = FileCallRecorder.Read(calls).Skip(killedAfterCalls).ToList();
        secondRun.ShouldNotBeEmpty();
        secondRun.Where(c => settledBefore[c.Stage].Contains(c.File)).ShouldBeEmpty("a file-stage recorded before the kill was called again");

        await using var check = await PipelineHost.StartAsync(db, runBatches: false);
        foreach (var stage in Stages)
        {
            var recorded = await check.Journal().RecordedAsync(1, stage);
            recorded.Count.ShouldBe(files, $"{stage} settles every file once");
            recorded.Select(r => r.FileId).ShouldBeUnique();
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
