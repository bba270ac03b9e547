using Akka.Actor;
using Akka.TestKit;
using Cofi.Actors.Batches;
using Cofi.Actors.Executors;
using Cofi.Actors.Gpu;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Batches;

/// <summary>A BatchSupervisor under a probe standing in for the BatchManager, on a real SQLite journal and simulated machines.</summary>
public sealed class BatchSupervisorSpecs : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_run_every_stage_and_tell_its_parent_how_the_batch_ended_with_every_stages_counts()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var parent = host.TestKit().CreateTestProbe();
        var input = Input(files: 12, corrupt: 2);

        var supervisor = Start(host, parent, batchId: 21, input);

        var finished = parent.ExpectMsg<BatchFinished>(TimeSpan.FromSeconds(60));
        (finished.BatchId, finished.Status).ShouldBe((21L, BatchStatus.Completed));
        finished.Stages.Select(s => s.Stage).ShouldBe(host.Settings.Pipeline.Stages.Select(s => s.Name));
        finished.Stages.ShouldAllBe(s => s.Settled == 12, "every stage's counts reached the supervisor before it recorded the end");
        finished.Stages[0].Failed.ShouldBe(2);
        parent.ExpectTerminated(supervisor);
    }

    [Fact]
    public async Task Should_end_a_cancelled_batch_as_cancelled_and_report_it_again_after_a_restart_without_running_it()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"),
            "cofi.pipeline.stage.denoise.simulated { latency = 200ms, spread = 0ms }", runBatches: false);
        var parent = host.TestKit().CreateTestProbe();
        var input = Input(files: 40, corrupt: 0);
        var supervisor = Start(host, parent, batchId: 22, input);
        var status = await supervisor.Ask<BatchReplies.Status>(new SupervisorCommands.GetStatus(Summary(22, input)), TimeSpan.FromSeconds(30));
        status.Stages.Count.ShouldBe(host.Settings.Pipeline.Stages.Count);

        supervisor.Tell(SupervisorCommands.Cancel.Instance);

        parent.ExpectMsg<BatchFinished>().Status.ShouldBe(BatchStatus.Cancelled);
        parent.ExpectTerminated(supervisor);
        var restartedAt = DateTimeOffset.UtcNow;
        var again = Start(host, parent, batchId: 22, input, name: "batch-22-again");
        parent.ExpectMsg<BatchFinished>().ShouldSatisfyAllConditions(
            f => f.Status.ShouldBe(BatchStatus.Cancelled),
            f => f.Reason.ShouldBe("cancelled by an operator"));
        parent.ExpectTerminated(again);
        host.Calls.Records.Where(c => c.StartedAt >= restartedAt).ShouldBeEmpty("the ended batch's stages are not started again");
    }

    private string Input(int files, int corrupt)
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, files, corrupt);
        return input;
    }

    private static BatchSummary Summary(long batchId, string input) =>
        new(batchId, input, BatchStatus.Running, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);

    private static IActorRef Start(PipelineHost host, TestProbe parent, long batchId, string input, string? name = null)
    {
        var settings = host.Settings;
        var executors = new ConfiguredExecutorProvider(settings, host.Calls, TimeProvider.System);
        var machines = Enumerable.Range(1, 2).Select(i => $"gpu-{i}")
            .ToDictionary(m => m, m => new SharedMachine(host.System.ActorOf(MachineSlots.Props(settings.Pipeline)),
                new MachineCircuit(m, settings.Gpu.Breaker, TimeProvider.System)));
        var supervisor = parent.ChildActorOf(BatchSupervisor.Props(batchId, input, paused: false, settings, machines, retryRequests: 0,
            membership: null, executors, TimeProvider.System), name ?? $"batch-{batchId}");
        parent.Watch(supervisor);
        return supervisor;
    }

    public void Dispose() => _dir.Dispose();
}
