using System.Diagnostics;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Cofi.Actors.Tests.Pipeline;

/// <summary>
/// The slow tail: one of four machines 4× slower and 1 % of the calls 20× slower. The same batch runs without and
/// with speculative attempts; with them every file is still recorded once per stage, the backups stay within
/// their cap, and backups answer for stragglers. (How much sooner the batch ends varies with the machine's load from
/// run to run: bench-fleet measures it.)
/// </summary>
public sealed class SpeculationSpecs(ITestOutputHelper output) : IDisposable
{
    private const int Files = 300;
    private static readonly string[] GpuStages = ["denoise", "ivr", "lid", "stt"];

    private static string Fleet(string speculateAfter) => $$"""
        cofi.simulated.gpu-machines = 4
        cofi.simulated.slow-machines.gpu-4 = 4
        cofi.simulated.stragglers { rate = 0.01, factor = 20 }
        cofi.stage-defaults { slots = 2, speculate-after = {{speculateAfter}}, speculate-max = 0.05 }
        cofi.pipeline.stage.denoise.simulated { latency = 50ms, spread = 0ms }
        cofi.pipeline.stage.ivr.simulated { latency = 50ms, spread = 0ms }
        cofi.pipeline.stage.lid.simulated { latency = 50ms, spread = 0ms }
        cofi.pipeline.stage.stt.simulated { latency = 50ms, spread = 0ms }
        """;

    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_cut_the_tail_with_backup_attempts_recording_every_file_once_within_the_cap()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, Files, 0);

        var (without, _, _) = await RunAsync("off", input, "without.db");
        var (with, records, calls) = await RunAsync("300ms", input, "with.db");

        var backups = records.Sum(r => r.History?.Count(h => h.Outcome == AttemptOutcome.Superseded) ?? 0);
        output.WriteLine($"makespan without speculation {without.TotalSeconds:0.00} s, with {with.TotalSeconds:0.00} s; {backups} calls superseded of {calls} made");
        records.Count.ShouldBe(Files * GpuStages.Length, "every file recorded once at every GPU stage");
        records.ShouldAllBe(r => r.Status != FileStatus.Failed, "no file failed for its backups");
        backups.ShouldBeGreaterThan(0, "the stragglers were backed up");
        backups.ShouldBeLessThanOrEqualTo((int)(0.05 * calls), "within 5 % of the calls");
        records.Count(r => r.History?.Any(h => h.Outcome == AttemptOutcome.Superseded && h.Attempt < r.Attempts) == true)
            .ShouldBeGreaterThan(0, "a backup answered before the straggler it backed up");
    }

    private async Task<(TimeSpan Makespan, List<FileRecord> Records, int Calls)> RunAsync(string speculateAfter, string input, string database)
    {
        await using var host = await PipelineHost.StartAsync(_dir.File(database), Fleet(speculateAfter));
        var clock = Stopwatch.StartNew();
        var finished = await host.RunAsync(input, TimeSpan.FromMinutes(3));
        var makespan = clock.Elapsed;
        finished.Status.ShouldBe(BatchStatus.Completed);
        var records = new List<FileRecord>();
        foreach (var stage in GpuStages)
        {
            var recorded = await host.Journal().RecordedAsync(finished.BatchId, stage);
            recorded.Select(r => r.FileId).Distinct().Count().ShouldBe(recorded.Count, $"no file recorded twice at {stage}");
            records.AddRange(recorded);
        }
        return (makespan, records, records.Sum(r => r.History?.Count ?? r.Attempts));
    }

    public void Dispose() => _dir.Dispose();
}
