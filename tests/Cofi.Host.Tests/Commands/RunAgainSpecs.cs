using System.Text.RegularExpressions;
using Cofi.Actors.Batches;
using Cofi.Actors.Executors;
using Cofi.Actors.Inputs;
using Cofi.Actors.Stages;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Runtime;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary><c>run</c> over an input whose batch completed says so and starts nothing, unless given <c>--again</c>.</summary>
public sealed class RunAgainSpecs : IDisposable
{
    private const int Files = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private readonly TempDirectory _dir = new();
    private readonly string _input;
    private readonly string _db;
    private readonly string _calls;

    public RunAgainSpecs()
    {
        _input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(_input, Files, 2);
        _db = _dir.File("cofi.db");
        _calls = _dir.File("calls.log");
    }

    private string[] Run(params string[] more) => ["run", "--input", _input, "--db", _db, "--call-log", _calls, "--latency", "0", "--gpus", "2", .. more];

    [Fact]
    public async Task Should_say_that_the_input_completed_and_start_nothing_when_run_again()
    {
        var (firstCode, _, firstErr) = await CofiProcess.RunAsync(Timeout, Run());
        var callsAfterFirst = FileCallRecorder.Read(_calls).Count;

        var (code, stdout, stderr) = await CofiProcess.RunAsync(Timeout, Run());

        firstCode.ShouldBe(0, firstErr);
        code.ShouldBe(0, stderr);
        var line = Regex.Match(stdout, $@"batch 1 over {Regex.Escape(_input)} completed \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC: {Files} files, (\d+) done, 2 failed, (\d+) skipped; run with --again to process it again");
        line.Success.ShouldBeTrue(stdout);
        (int.Parse(line.Groups[1].Value) + int.Parse(line.Groups[2].Value)).ShouldBe(Files - 2);
        stdout.ShouldNotContain("started on");
        FileCallRecorder.Read(_calls).Count.ShouldBe(callsAfterFirst, "no model was called again");
        (await BatchesAsync()).ShouldBe(["batch 1  completed"]);
    }

    [Fact]
    public async Task Should_start_a_new_batch_over_a_completed_input_with_again()
    {
        var (firstCode, _, firstErr) = await CofiProcess.RunAsync(Timeout, Run());
        var callsAfterFirst = FileCallRecorder.Read(_calls).Count;

        var (code, stdout, stderr) = await CofiProcess.RunAsync(Timeout, Run("--again"));

        firstCode.ShouldBe(0, firstErr);
        code.ShouldBe(0, stderr);
        stdout.ShouldContain($"batch 2: started on {_input}");
        FileCallRecorder.Read(_calls).Count.ShouldBe(2 * callsAfterFirst, "the second batch calls every model again");
        (await BatchesAsync()).ShouldBe(["batch 1  completed", "batch 2  completed"]);
    }

    [Fact]
    public void Should_count_a_completed_batchs_files_as_done_failed_and_skipped()
    {
        var at = DateTimeOffset.Parse("2026-12-01T12:00:03.4Z");
        var batch = new BatchSummary(7, "/in/calls", BatchStatus.Completed, null, at.AddHours(-1), at.AddHours(-1), at);
        StageCounts[] stages =
        [
            new(7, "distribution", 9, 1, 0, 0, 0, 10, true),
            new(7, "denoise", 8, 1, 1, 0, 0, 10, true),
            new(7, "triage", 6, 0, 4, 0, 0, 10, true),
            new(7, "stt", 6, 0, 4, 0, 0, 10, true),
            new(7, "metadata", 10, 0, 0, 0, 0, 10, true),
        ];

        var line = BatchRunner.CompletedLine(new BatchReplies.AlreadyCompleted(batch, stages));

        line.ShouldBe("batch 7 over /in/calls completed 2026-12-01 12:00:03 UTC: 10 files, 6 done, 2 failed, 2 skipped; run with --again to process it again");
    }

    /// <summary>The batch lines of <c>status</c>: number and status.</summary>
    private async Task<IReadOnlyList<string>> BatchesAsync()
    {
        var (code, stdout, stderr) = await CofiProcess.RunAsync(Timeout, "status", "--db", _db);
        code.ShouldBe(0, stderr);
        return Regex.Matches(stdout, @"^batch \d+  \w+", RegexOptions.Multiline).Select(m => m.Value).ToList();
    }

    public void Dispose() => _dir.Dispose();
}
