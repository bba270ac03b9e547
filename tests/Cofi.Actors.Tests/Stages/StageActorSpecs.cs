using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Gpu;
using Cofi.Actors.Stages;
using Cofi.Actors.Tests.Support;
using Cofi.Actors.Persistence;

namespace Cofi.Actors.Tests.Stages;

/// <summary>
/// One StageActor on a real SQLite journal, with probes for its GPU workers, the next stage and its supervisor:
/// what it hands out, what it hands on, and what it remembers after a restart.
/// </summary>
public sealed class StageActorSpecs : IDisposable
{
    private const long BatchId = 11;
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_hand_on_each_file_with_its_result_once_its_outcome_is_recorded()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var stage = new StageProbes(host, BatchId);
        var actor = stage.Start("denoise");
        actor.Tell(new StageCommands.Admit([File(1), File(2)]));

        actor.Tell(new StageCommands.Pull(stage.Worker.Ref, "gpu-1", 2), stage.Worker.Ref);
        var calls = new[] { stage.Worker.ExpectMsg<GpuWorkerCommands.Run>().Call, stage.Worker.ExpectMsg<GpuWorkerCommands.Run>().Call };
        foreach (var call in calls) actor.Tell(Completed(call, """{"snrDb":18.5}"""), stage.Worker.Ref);

        var handedOn = stage.Next.ExpectMsg<StageCommands.Admit>().Files;
        handedOn.Select(f => f.FileId).Order().ShouldBe([1, 2]);
        handedOn.ShouldAllBe(f => f.Results["denoise"] == """{"snrDb":18.5}""");
        (await host.Journal().StageRecordsAsync(BatchId, "denoise")).Count.ShouldBe(2, "recorded before it was handed on");
    }

    [Fact]
    public async Task Should_write_a_group_past_the_size_cap_as_several_journal_events_none_above_it()
    {
        const int cap = 250_000;
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"),
            $"cofi.persistence {{ max-event-bytes = {cap}, record-flush-interval = 2s }}", runBatches: false);
        var stage = new StageProbes(host, BatchId);
        var actor = stage.Start("denoise");
        actor.Tell(new StageCommands.Admit([.. Enumerable.Range(1, 5).Select(File)]));
        actor.Tell(new StageCommands.Pull(stage.Worker.Ref, "gpu-1", 5), stage.Worker.Ref);
        var result = $$"""{"transcript":"{{new string('a', 100_000)}}"}""";

        // Five 100 kB results settle within the flush interval: one group, written as events of two, two and one.
        foreach (var _ in Enumerable.Range(1, 5)) actor.Tell(Completed(stage.Worker.ExpectMsg<GpuWorkerCommands.Run>().Call, result), stage.Worker.Ref);
        var handedOn = new List<FileWork>();
        while (handedOn.Count < 5) handedOn.AddRange(stage.Next.ExpectMsg<StageCommands.Admit>(TimeSpan.FromSeconds(10)).Files);

        handedOn.Select(f => f.FileId).ShouldBe([1, 2, 3, 4, 5], "handed on in the order they settled");
        using var journal = Cofi.Actors.Persistence.DatabaseSettings.Sqlite(_dir.File("cofi.db")).OpenRawConnection();
        var events = ReadModelComparison.Rows(journal,
            $"SELECT LENGTH(message) FROM journal WHERE persistence_id = '{PersistenceIds.Stage(BatchId, "denoise")}' ORDER BY sequence_number");
        events.Count.ShouldBe(3);
        events.ShouldAllBe(e => Convert.ToInt64(e[0]) <= cap);
        (await host.Journal().StageRecordsAsync(BatchId, "denoise")).Count.ShouldBe(5);
    }

    [Fact]
    public async Task Should_tell_the_next_stage_and_its_supervisor_once_every_file_is_settled()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var stage = new StageProbes(host, BatchId);
        var actor = stage.Start("denoise");
        actor.Tell(new StageCommands.Admit([File(1), File(2) with { Disposition = new Disposition(FileStatus.Failed, "distribution", "not a WAV") }]));
        actor.Tell(new StageCommands.UpstreamCompleted(2));
        actor.Tell(new StageCommands.Pull(stage.Worker.Ref, "gpu-1", 2), stage.Worker.Ref);
        var call = stage.Worker.ExpectMsg<GpuWorkerCommands.Run>().Call;
        stage.Worker.ExpectNoMsg(Quiet);

        actor.Tell(new StageCommands.Report(call.File.FileId, call.Attempt, new CallOutcome.PermanentFailure("400: unreadable"), "gpu-1", 3), stage.Worker.Ref);

        stage.Next.FishForMessage(m => m is StageCommands.UpstreamCompleted { Total: 2 });
        var finished = stage.Supervisor.FishForMessage<StageSignals.Finished>(_ => true);
        (finished.Counts.Done, finished.Counts.Failed, finished.Counts.Skipped).ShouldBe((0, 1, 1));
        stage.Worker.ExpectMsg<GpuWorkerCommands.StageFinished>();
    }

    [Fact]
    public async Task Should_answer_with_its_calls_running_longest_first_up_to_the_limit()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var stage = new StageProbes(host, BatchId);
        var actor = stage.Start("denoise");
        actor.Tell(new StageCommands.Admit([File(1), File(2), File(3)]));
        actor.Tell(new StageCommands.Pull(stage.Worker.Ref, "gpu-1", 1), stage.Worker.Ref);
        stage.Worker.ExpectMsg<GpuWorkerCommands.Run>().Call.File.FileId.ShouldBe(1);
        var other = stage.Kit.CreateTestProbe();
        actor.Tell(new StageCommands.Pull(other.Ref, "gpu-2", 2), other.Ref);
        var later = new[] { other.ExpectMsg<GpuWorkerCommands.Run>().Call, other.ExpectMsg<GpuWorkerCommands.Run>().Call };
        actor.Tell(Completed(later[1], "{}"), other.Ref);

        var answer = await actor.Ask<StageReplies.Stragglers>(new StageQueries.GetStragglers(2), TimeSpan.FromSeconds(5));

        answer.Figures.ShouldBe(new StageSpeculation("denoise", 0, 3));
        answer.Calls.Count.ShouldBe(2, "the limit, though three calls were made");
        (answer.Calls[0].FileId, answer.Calls[0].File, answer.Calls[0].Machine, answer.Calls[0].Attempt).ShouldBe((1, "call-00001.wav", "gpu-1", 1));
        (answer.Calls[1].FileId, answer.Calls[1].Machine).ShouldBe((later[0].File.FileId, "gpu-2"), "the answered call is no longer running");
        answer.Calls[0].RunningForMs.ShouldBeGreaterThanOrEqualTo(answer.Calls[1].RunningForMs);
        answer.Calls.ShouldAllBe(c => c.Stage == "denoise" && c.Speculation == SpeculationState.None);
    }

    [Fact]
    public async Task Should_give_the_calls_of_a_worker_that_died_to_another_worker()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var stage = new StageProbes(host, BatchId);
        var actor = stage.Start("denoise");
        actor.Tell(new StageCommands.Admit([File(1)]));
        actor.Tell(new StageCommands.Pull(stage.Worker.Ref, "gpu-1", 1), stage.Worker.Ref);
        stage.Worker.ExpectMsg<GpuWorkerCommands.Run>();
        var other = stage.Kit.CreateTestProbe();
        actor.Tell(new StageCommands.Pull(other.Ref, "gpu-2", 1), other.Ref);
        other.ExpectNoMsg(Quiet);

        host.System.Stop(stage.Worker.Ref);

        var again = other.ExpectMsg<GpuWorkerCommands.Run>().Call;
        (again.File.FileId, again.Attempt, again.Machine).ShouldBe((1, 2, "gpu-2"));
    }

    [Fact]
    public async Task Should_serve_a_coordinator_stage_through_its_own_worker()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var stage = new StageProbes(host, BatchId);
        var actor = stage.Start("llm1");

        actor.Tell(new StageCommands.Admit([File(1), File(2), File(3)]));

        var handedOn = new List<FileWork>();
        while (handedOn.Count < 3) handedOn.AddRange(stage.Next.ExpectMsg<StageCommands.Admit>().Files);
        handedOn.Select(f => f.FileId).Order().ShouldBe([1, 2, 3]);
        handedOn.ShouldAllBe(f => f.Results.ContainsKey("llm1"));
        host.Calls.Records.Where(c => c.Stage == "llm1").Select(c => c.Machine).Distinct().ShouldBe([LocalWorker.Machine]);
    }

    [Fact]
    public async Task Should_remember_what_it_recorded_after_a_restart_and_never_call_those_files_again()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var stage = new StageProbes(host, BatchId);
        var actor = stage.Start("denoise");
        actor.Tell(new StageCommands.Admit([File(1)]));
        actor.Tell(new StageCommands.Pull(stage.Worker.Ref, "gpu-1", 1), stage.Worker.Ref);
        actor.Tell(Completed(stage.Worker.ExpectMsg<GpuWorkerCommands.Run>().Call, """{"snrDb":3}"""), stage.Worker.Ref);
        stage.Next.ExpectMsg<StageCommands.Admit>();
        await stage.StopAsync(actor);

        var restarted = stage.Start("denoise", "stage-denoise-again");
        stage.Supervisor.ExpectMsg<StageSignals.Ready>().Counts.Done.ShouldBe(1);
        restarted.Tell(new StageCommands.Pull(stage.Worker.Ref, "gpu-1", 1), stage.Worker.Ref);
        restarted.Tell(new StageCommands.Admit([File(1), File(2)]));

        stage.Next.ExpectMsg<StageCommands.Admit>().Files.Single().ShouldSatisfyAllConditions(
            f => f.FileId.ShouldBe(1),
            f => f.Results["denoise"].ShouldBe("""{"snrDb":3}"""));
        stage.Worker.ExpectMsg<GpuWorkerCommands.Run>().Call.File.FileId.ShouldBe(2, "only the file not recorded before is called");
        stage.Worker.ExpectNoMsg(Quiet);
    }

    private static FileWork File(int id) => new(id, $"call-{id:00000}.wav", $"/in/call-{id:00000}.wav", ImmutableDictionary<string, string>.Empty);

    private static StageCommands.Report Completed(StageCall call, string result) =>
        new(call.File.FileId, call.Attempt, new CallOutcome.Completed(result), call.Machine, 100);

    public void Dispose() => _dir.Dispose();
}
