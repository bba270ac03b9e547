using Akka.Actor;
using Microsoft.Data.Sqlite;
using Cofi.Actors.Batches;
using Cofi.Actors.Inputs;
using Cofi.Actors.Stages;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Pipeline;

public sealed class ResumeSpecs : IDisposable
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_resume_after_the_actor_system_stops_mid_stage_without_calling_completed_work_again()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 200, 1);
        var db = _dir.File("cofi.db");
        // Small groups and frequent snapshots: recovery goes through a snapshot plus the events after it.
        const string slow = """
            cofi.persistence { record-group-size = 10, snapshot-every = 3 }
            cofi.simulated.gpu-machines = 2
            cofi.pipeline.stage.stt.simulated { latency = 50ms, spread = 10ms }
            """;

        long batchId;
        await using (var first = await PipelineHost.StartAsync(db, slow))
        {
            var kit = first.TestKit();
            var probe = kit.CreateTestProbe();
            first.System.EventStream.Subscribe(probe, typeof(StageProgress));
            var accepted = await first.Manager.Ask<BatchReplies.Accepted>(new BatchCommands.Submit(input, true), TimeSpan.FromSeconds(30));
            batchId = accepted.BatchId;
            probe.FishForMessage<StageProgress>(p => p.Counts.Stage == "stt" && p.Counts.Settled >= 40, TimeSpan.FromSeconds(60));
        }

        IReadOnlyDictionary<string, HashSet<string>> settledBefore;
        await using (var reader = await PipelineHost.StartAsync(db, slow, runBatches: false))
        {
            var journal = reader.Journal();
            var sets = new Dictionary<string, HashSet<string>>();
            foreach (var stage in Stages)
                sets[stage] = (await journal.StageRecordsAsync(batchId, stage)).Values.Select(r => r.Name).ToHashSet();
            settledBefore = sets;
        }
        settledBefore["stt"].Count.ShouldBeInRange(40, 199, "the stop came in the middle of stt");
        SnapshotCount(db, batchId).ShouldBeGreaterThan(0, "recovery starts from snapshots");
        settledBefore["metadata"].Count.ShouldBeLessThan(200);

        await using var second = await PipelineHost.StartAsync(db, slow);
        var accepted2 = await second.Manager.Ask<BatchReplies.Accepted>(new BatchCommands.Submit(input, true), TimeSpan.FromSeconds(30));
        accepted2.ShouldBe(new BatchReplies.Accepted(batchId, Resumed: true));
        var finished = await second.Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(batchId), TimeSpan.FromMinutes(2));

        finished.Status.ShouldBe(BatchStatus.Completed);
        finished.Stages.ShouldAllBe(s => s.Settled == 200);
        var repeated = second.Calls.Records.Where(c => settledBefore[c.Stage].Contains(c.File)).ToList();
        repeated.ShouldBeEmpty("a file-stage recorded before the stop must not be called again");
        second.Calls.Records.ShouldContain(c => c.Stage == "stt", "the rest of stt ran after the restart");

        var journal2 = second.Journal();
        foreach (var stage in Stages)
        {
            var recorded = await journal2.RecordedAsync(batchId, stage);
            recorded.Select(r => r.FileId).ShouldBeUnique($"{stage} recorded a file twice");
            recorded.Count.ShouldBe(200);
        }
    }

    private static long SnapshotCount(string db, long batchId)
    {
        using var connection = new SqliteConnection($"Data Source={db}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM snapshot WHERE persistence_id LIKE $prefix";
        command.Parameters.AddWithValue("$prefix", $"batch-{batchId}-stage-%");
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => _dir.Dispose();
}
