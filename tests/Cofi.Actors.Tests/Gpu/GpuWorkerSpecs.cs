using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Gpu;
using Cofi.Actors.Stages;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Gpu;

/// <summary>One GpuWorker with probes for its stages and its parent, calling the simulated model services.</summary>
public sealed class GpuWorkerSpecs : IDisposable
{
    private const long BatchId = 5;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_offer_each_gpu_stage_the_machines_slots_and_report_each_call_to_the_stage()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var (worker, stages, _) = Start(host);

        foreach (var (name, probe) in stages)
        {
            var pull = probe.ExpectMsg<StageCommands.Pull>();
            (pull.Worker, pull.Machine, pull.Slots).ShouldBe((worker, "gpu-7", host.Settings.Pipeline[name].Slots));
        }
        var stt = stages["stt"];
        worker.Tell(new GpuWorkerCommands.Run(new StageCall(BatchId, "stt", File(3), 1, "gpu-7"), stt.Ref));

        var report = stt.ExpectMsg<StageCommands.Report>();
        (report.FileId, report.Attempt, report.Machine).ShouldBe((3, 1, "gpu-7"));
        report.Outcome.ShouldBeOfType<CallOutcome.Completed>();
        host.Calls.Records.Single().ShouldSatisfyAllConditions(c => c.Stage.ShouldBe("stt"), c => c.Machine.ShouldBe("gpu-7"));
    }

    [Fact]
    public async Task Should_decline_a_call_for_a_stage_the_machine_does_not_serve_without_calling_anything()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var (worker, _, _) = Start(host);
        var llm = host.TestKit().CreateTestProbe();

        worker.Tell(new GpuWorkerCommands.Run(new StageCall(BatchId, "llm1", File(3), 1, "gpu-7"), llm.Ref));

        llm.ExpectMsg<StageCommands.Report>().Outcome.ShouldBeOfType<CallOutcome.Declined>().Reason.ShouldContain("does not serve stage llm1");
        host.Calls.Records.ShouldBeEmpty();
    }

    [Fact]
    public async Task Should_withdraw_its_slots_when_drained_and_tell_its_parent_once_its_calls_are_back()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var (worker, stages, parent) = Start(host);
        foreach (var probe in stages.Values) probe.ExpectMsg<StageCommands.Pull>();

        worker.Tell(GpuWorkerCommands.Drain.Instance);

        foreach (var probe in stages.Values) probe.ExpectMsg<StageCommands.Withdraw>().Worker.ShouldBe(worker);
        parent.ExpectMsg<GpuWorkerDrained>().Machine.ShouldBe("gpu-7");
        worker.Tell(new GpuWorkerCommands.Run(new StageCall(BatchId, "stt", File(4), 1, "gpu-7"), stages["stt"].Ref));
        stages["stt"].ExpectMsg<StageCommands.Report>().Outcome.ShouldBeOfType<CallOutcome.Declined>().Reason.ShouldContain("draining");
    }

    [Fact]
    public async Task Should_give_each_call_the_deadline_its_recordings_length_earns()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), """
            cofi.pipeline.stage.stt {
              simulated { latency = 400ms, spread = 0ms }
              timeout = 150ms
              timeout-base = 150ms
              timeout-per-audio-second = 300ms
            }
            """, runBatches: false);
        var (worker, stages, _) = Start(host);
        var stt = stages["stt"];

        worker.Tell(new GpuWorkerCommands.Run(new StageCall(BatchId, "stt", File(1) with { AudioSeconds = 5 }, 1, "gpu-7"), stt.Ref));
        worker.Tell(new GpuWorkerCommands.Run(new StageCall(BatchId, "stt", File(2), 1, "gpu-7"), stt.Ref));

        var reports = new[] { stt.FishForMessage<StageCommands.Report>(_ => true), stt.FishForMessage<StageCommands.Report>(_ => true) }
            .ToDictionary(r => r.FileId);
        reports[1].Outcome.ShouldBeOfType<CallOutcome.Completed>("5 s of audio earn 150 ms + 5 × 300 ms, well over the 400 ms call");
        reports[2].Outcome.ShouldBeOfType<CallOutcome.TransientFailure>().Reason.ShouldContain("timed out after 0.15 s");
    }

    private static (IActorRef Worker, IReadOnlyDictionary<string, TestProbe> Stages, TestProbe Parent) Start(PipelineHost host)
    {
        var kit = host.TestKit();
        var settings = host.Settings;
        var stages = settings.Pipeline.GpuStages.ToDictionary(s => s.Name, _ => kit.CreateTestProbe());
        var parent = kit.CreateTestProbe();
        var executors = new ConfiguredExecutorProvider(settings, host.Calls, TimeProvider.System);
        var worker = parent.ChildActorOf(GpuWorker.Props(BatchId, "gpu-7", stages.ToDictionary(s => s.Key, s => s.Value.Ref),
            settings.Pipeline, settings.Gpu.Breaker, executors, TimeProvider.System), "gpu-7");
        return (worker, stages, parent);
    }

    private static FileWork File(int id) => new(id, $"call-{id}.wav", $"/in/call-{id}.wav", ImmutableDictionary<string, string>.Empty);

    public void Dispose() => _dir.Dispose();
}
