using System.Diagnostics;
using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Hosting;
using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Host.Runtime;

namespace Cofi.Host.Benchmarks;

/// <summary>
/// How close the scheduler comes to the fleet's capacity: the same batch on 1, 2 and 4 simulated GPU machines (2 slots
/// each, 50 ms a GPU call, the other stages instant), and on 4 machines with 1 % of the calls 20× slower, without and
/// with speculative attempts (after 250 ms). Each GPU stage has its own slots on every machine, so the ideal makespan is that of the
/// stage with the most files to call: its files × 50 ms ÷ (machines × slots).
/// </summary>
public static class FleetBenchmark
{
    public const int LatencyMs = 50;
    public const int Slots = 2;

    /// <param name="Busiest">the files called at the GPU stage with the most of them</param>
    /// <param name="BusiestCallTime">the time the calls of the GPU stage with the most call time took, as measured</param>
    public sealed record Run(string Name, int Machines, int FileStages, int Busiest, TimeSpan BusiestCallTime, TimeSpan Makespan, int ExtraCalls)
    {
        public TimeSpan Ideal => TimeSpan.FromMilliseconds((double)Busiest * LatencyMs / (Machines * Slots));

        public double Ratio => Makespan / Ideal;

        /// <summary>The makespan against the calls as they really took (a simulated 50 ms call takes a little longer): the scheduler's own share.</summary>
        public double RatioToMeasured => Makespan / (BusiestCallTime / (Machines * Slots));
    }

    public static IEnumerable<(string Name, int Machines, string Hocon)> Scenarios()
    {
        foreach (var machines in new[] { 1, 2, 4 }) yield return ($"{machines} machine{(machines == 1 ? "" : "s")}", machines, "");
        const string stragglers = "cofi.simulated.stragglers { rate = 0.01, factor = 20 }";
        yield return ("4 machines, 1 % of calls 20× slower, no speculation", 4, stragglers + "\ncofi.stage-defaults.speculate-after = off");
        // A 1 s straggler ends before the default speculate-after (3 × p95, at least 2 s) could back it up: 5 × the call time here.
        yield return ("4 machines, 1 % of calls 20× slower, speculate after 250 ms", 4, stragglers + "\ncofi.stage-defaults.speculate-after = 250ms");
    }

    public static async Task<Run> RunAsync(string name, int machines, string hocon, int files, string workDir)
    {
        var dir = Directory.CreateDirectory(Path.Combine(workDir, $"run-{Guid.NewGuid():N}")).FullName;
        var input = Path.Combine(workDir, "input");
        if (!Directory.Exists(input)) SampleBatch.Generate(input, files, 0);
        var callLog = Path.Combine(dir, "calls.log");
        var config = CofiConfig.Load(null, [.. Overrides(machines), hocon, $"cofi.simulated.call-log = \"{callLog}\""]);
        var settings = CofiSettings.FromConfig(config);
        await using var runtime = await CofiRuntime.StartAsync(NodePlan.Embedded(web: false), config, settings, DatabaseSettings.Sqlite(Path.Combine(dir, "cofi.db")));
        var clock = Stopwatch.StartNew();
        var accepted = await runtime.BatchManager.Ask<BatchReplies.Accepted>(new BatchCommands.Submit(input, ResumeUnfinished: false), TimeSpan.FromMinutes(1));
        var finished = await runtime.BatchManager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(accepted.BatchId), TimeSpan.FromHours(2));
        var makespan = clock.Elapsed;
        var journal = new JournalReader(runtime.System);
        int fileStages = 0, calls = 0, busiest = 0;
        foreach (var stage in settings.Pipeline.GpuStages)
        {
            var called = (await journal.RecordedAsync(finished.BatchId, stage.Name)).Where(r => r.History is { Count: > 0 }).ToList();
            fileStages += called.Count;
            busiest = Math.Max(busiest, called.Count);
            calls += called.Sum(r => r.History!.Count);
        }
        var callTime = FileCallRecorder.Read(callLog).GroupBy(c => c.Stage)
            .Select(g => TimeSpan.FromTicks(g.Sum(c => (c.FinishedAt - c.StartedAt).Ticks)))
            .DefaultIfEmpty(TimeSpan.Zero).Max();
        return new Run(name, machines, fileStages, busiest, callTime, makespan, calls - fileStages);
    }

    private static IEnumerable<string> Overrides(int machines)
    {
        yield return $"cofi.simulated.gpu-machines = {machines}";
        yield return $"cofi.stage-defaults.slots = {Slots}";
        foreach (var stage in new[] { "denoise", "ivr", "lid", "stt" })
            yield return $"cofi.pipeline.stage.{stage}.simulated {{ latency = {LatencyMs}ms, spread = 0ms }}";
        foreach (var stage in new[] { "llm1", "llm2" })
            yield return $"cofi.pipeline.stage.{stage}.simulated {{ latency = 0ms, spread = 0ms }}";
    }

    public static void Print(int files, IReadOnlyList<Run> runs)
    {
        Console.WriteLine($"bench-fleet: {files:N0} files, {Slots} slots a machine, {LatencyMs} ms a GPU call; ideal = the busiest GPU stage's files × {LatencyMs} ms ÷ its slots");
        Console.WriteLine("÷ measured: against the busiest stage's calls as long as they really took, over its slots");
        Console.WriteLine($"{"scenario",-60} {"makespan",9} {"ideal",9} {"÷ ideal",8} {"÷ measured",11} {"extra calls",12}");
        foreach (var run in runs)
            Console.WriteLine($"{run.Name,-60} {run.Makespan.TotalSeconds,8:0.00}s {run.Ideal.TotalSeconds,8:0.00}s {run.Ratio,8:0.000} {run.RatioToMeasured,11:0.000} {run.ExtraCalls,5} of {run.FileStages + run.ExtraCalls}");
    }
}
