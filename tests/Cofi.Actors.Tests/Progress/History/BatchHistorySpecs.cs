using Cofi.Actors.Files;
using Cofi.Actors.Progress.History;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Progress.History;

/// <summary>What a batch's history keeps, how it stays bounded, and what its ETAs rest on.</summary>
public sealed class BatchHistorySpecs
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Stages = ["distribution", "denoise", "stt"];
    private static readonly Dictionary<string, int> Slots = new() { ["denoise"] = 2, ["stt"] = 4 };

    private static BatchHistory NewHistory(int capacity = 600) => new(7, Start, Stages, Slots, capacity);

    private static StageProgress Progress(string stage, int done, double atSeconds, int? total = null, bool completed = false,
        IReadOnlyList<FileRecord>? recorded = null, IReadOnlyDictionary<string, int>? busy = null) =>
        new(new StageCounts(7, stage, done, 0, 0, 0, 0, total, completed), Start.AddSeconds(atSeconds), recorded, busy);

    [Fact]
    public void Should_keep_every_file_of_a_ten_hour_batch_in_a_bounded_number_of_buckets()
    {
        var history = NewHistory();
        const int hours = 10;
        for (var second = 1; second <= hours * 3600; second++) history.Add(Progress("stt", 3 * second, second));

        var stt = history.Throughput(Start.AddHours(hours)).Stages.Single();
        var bucketSeconds = history.Throughput(Start.AddHours(hours)).BucketSeconds;

        stt.Rates.Count.ShouldBeLessThanOrEqualTo(600);
        bucketSeconds.ShouldBeGreaterThanOrEqualTo(hours * 3600 / 600);
        // The last bucket is still open: its rate is over the seconds it has run.
        var openSeconds = hours * 3600 - (stt.Rates.Count - 1) * bucketSeconds;
        (stt.Rates.SkipLast(1).Sum(r => r * bucketSeconds) + stt.Rates[^1] * openSeconds).ShouldBe(3.0 * hours * 3600, 1e-6, "no file is lost when buckets merge");
        stt.Rates.Skip(1).SkipLast(1).ShouldAllBe(r => Math.Abs(r - 3) < 1e-9, "the first bucket starts a second before the first file");
        stt.RecentRate.ShouldBe(3, 0.1);
    }

    [Fact]
    public void Should_give_a_later_stage_no_total_and_no_eta_while_files_are_still_being_registered()
    {
        var history = NewHistory();
        history.Add(Progress("distribution", 500, 5));
        history.Add(Progress("denoise", 400, 5));

        var streaming = history.Throughput(Start.AddSeconds(6)).Stages.Single(s => s.Stage == "denoise");
        streaming.Total.ShouldBeNull();
        streaming.Eta.Seconds.ShouldBeNull();
        streaming.Eta.Basis.ShouldContain("distribution is still registering files");
        history.Throughput(Start.AddSeconds(6)).Batch.Seconds.ShouldBeNull();

        history.Add(Progress("distribution", 1000, 10, total: 1000, completed: true));
        history.Add(Progress("denoise", 600, 10));
        var registered = history.Throughput(Start.AddSeconds(10)).Stages.Single(s => s.Stage == "denoise");
        registered.Total.ShouldBe(1000);
        registered.Eta.Seconds!.Value.ShouldBe(400 / registered.RecentRate, 1e-6);
        registered.Eta.Seconds.Value.ShouldBeGreaterThan(0);
        registered.Eta.Basis.ShouldContain("400 files left");
    }

    [Fact]
    public void Should_read_percentiles_per_stage_and_per_machine_from_every_attempt()
    {
        var history = NewHistory();
        var records = Enumerable.Range(1, 100).Select(i => new FileRecord(i, $"f{i}", FileStatus.Done, null, null, 1, i % 2 == 0 ? "gpu-1" : "gpu-2", 10,
            i == 1 ? [new AttemptRecord(1, "gpu-2", AttemptOutcome.TransientFailure, "timeout", 2000, Start), new AttemptRecord(2, "gpu-2", AttemptOutcome.Done, null, 10, Start)] : null)).ToList();
        history.Add(Progress("denoise", 100, 3, recorded: records));

        var all = history.Latency(null).Stages.Single();
        all.Calls.ShouldBe(101, "the failed attempt is a call too");
        all.P50.ShouldBeInRange(10, 12);
        all.MaxMs.ShouldBe(2000);
        all.P99.ShouldBeLessThan(20);
        history.Latency(null).Machines.ShouldBe(["gpu-1", "gpu-2"]);
        history.Latency("gpu-1").Stages.Single().Calls.ShouldBe(50);
        history.Latency("gpu-1").Stages.Single().MaxMs.ShouldBe(10);
    }

    [Fact]
    public void Should_keep_each_machines_share_of_busy_slots_per_stage_over_time()
    {
        var history = NewHistory();
        history.Add(Progress("denoise", 0, 0, busy: new Dictionary<string, int> { ["gpu-1"] = 2 }));
        history.Sample(Start.AddSeconds(0.5));
        history.Add(Progress("denoise", 10, 1, busy: new Dictionary<string, int> { ["gpu-1"] = 1 }));
        history.Sample(Start.AddSeconds(1.5));
        history.Add(new CircuitMark(Start.AddSeconds(1.7), "gpu-1", "Open"));

        var fleet = history.Fleet(Start.AddSeconds(2));
        var machine = fleet.Machines.Single();
        machine.Machine.ShouldBe("gpu-1");
        machine.Utilization["denoise"].ShouldBe([1.0, 0.5]);
        fleet.Circuits.Single().State.ShouldBe("Open");
        fleet.SlotsByStage["stt"].ShouldBe(4);
    }
}
