using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Gpu;
using Cofi.Actors.Stages;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Stages;

/// <summary>
/// A stop holds each stage: it hands out nothing new, and answers only once the calls it handed out have come back
/// and their outcomes are in the journal. The test plays the stage's GPU worker.
/// </summary>
public sealed class StageHoldSpecs : IDisposable
{
    private const long BatchId = 7;
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_answer_a_hold_only_once_its_calls_in_flight_are_reported_and_recorded_and_hand_out_nothing_meanwhile()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var kit = host.TestKit();
        var (stage, worker) = StartDenoise(host, kit);
        stage.Tell(new StageCommands.Admit(Enumerable.Range(0, 4).Select(File).ToList()));
        stage.Tell(new StageCommands.Pull(worker.Ref, "gpu-1", 2), worker.Ref);
        var first = worker.ExpectMsg<GpuWorkerCommands.Run>().Call;
        var second = worker.ExpectMsg<GpuWorkerCommands.Run>().Call;
        var holder = kit.CreateTestProbe();

        stage.Tell(StageCommands.Hold.Instance, holder.Ref);

        holder.ExpectNoMsg(Quiet);
        stage.Tell(Completed(first), worker.Ref);
        holder.ExpectNoMsg(Quiet);
        stage.Tell(Completed(second), worker.Ref);
        holder.ExpectMsg<StageReplies.Held>().Stage.ShouldBe("denoise");
        worker.ExpectNoMsg(Quiet);
        var recorded = await host.Journal().StageRecordsAsync(BatchId, "denoise");
        recorded.Keys.Order().ShouldBe(new[] { first.File.FileId, second.File.FileId }.Order(),
            "both outcomes are in the journal when the stage says it is held, and no other file was called");
    }

    [Fact]
    public async Task Should_answer_a_hold_at_once_when_nothing_is_in_flight()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var kit = host.TestKit();
        var (stage, worker) = StartDenoise(host, kit);
        stage.Tell(new StageCommands.Admit(Enumerable.Range(0, 2).Select(File).ToList()));
        var holder = kit.CreateTestProbe();

        stage.Tell(StageCommands.Hold.Instance, holder.Ref);
        stage.Tell(new StageCommands.Pull(worker.Ref, "gpu-1", 2), worker.Ref);

        holder.ExpectMsg<StageReplies.Held>();
        worker.ExpectNoMsg(Quiet);
    }

    private static (IActorRef Stage, TestProbe Worker) StartDenoise(PipelineHost host, Akka.TestKit.Xunit2.TestKit kit)
    {
        var probes = new StageProbes(host, BatchId);
        return (probes.Start("denoise"), probes.Worker);
    }

    private static FileWork File(int id) => new(id, $"call-{id:00000}.wav", $"/in/call-{id:00000}.wav", ImmutableDictionary<string, string>.Empty);

    private static StageCommands.Report Completed(StageCall call) =>
        new(call.File.FileId, call.Attempt, new CallOutcome.Completed("""{"snrDb":18.5}"""), call.Machine, 100);

    public void Dispose() => _dir.Dispose();
}
