using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Gpu;
using Cofi.Actors.Stages;
using Cofi.Actors.Tests.Support;
using Polly.CircuitBreaker;

namespace Cofi.Actors.Tests.Gpu;

/// <summary>One machine's circuit breaker shared by its listeners: probes, and two batches' GpuWorkers calling the simulated model services.</summary>
public sealed class SharedCircuitSpecs : IDisposable
{
    private const string Machine = "gpu-7";
    private static readonly CallOutcome Unavailable = new CallOutcome.TransientFailure("HTTP 503");
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_tell_every_subscribed_listener_when_it_opens_and_one_that_subscribes_later_at_once()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var kit = host.TestKit();
        var (first, second, gone, late) = (kit.CreateTestProbe(), kit.CreateTestProbe(), kit.CreateTestProbe(), kit.CreateTestProbe());
        var circuit = Circuit(TimeSpan.FromMinutes(1));
        circuit.Subscribe(first.Ref);
        circuit.Subscribe(second.Ref);
        circuit.Subscribe(gone.Ref);
        circuit.Unsubscribe(gone.Ref);

        for (var i = 0; i < 4; i++) (await circuit.RunAsync(_ => Task.FromResult(Unavailable), CancellationToken.None)).ShouldBe(Unavailable);

        first.ExpectMsg<MachineCircuit.Changed>().State.ShouldBe(CircuitState.Open);
        second.ExpectMsg<MachineCircuit.Changed>().State.ShouldBe(CircuitState.Open);
        gone.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        circuit.Subscribe(late.Ref);
        late.ExpectMsg<MachineCircuit.Changed>().State.ShouldBe(CircuitState.Open);
        var called = false;
        (await circuit.RunAsync(_ =>
        {
            called = true;
            return Task.FromResult<CallOutcome>(new CallOutcome.Completed("{}"));
        }, CancellationToken.None)).ShouldBeOfType<CallOutcome.Declined>();
        called.ShouldBeFalse("an open circuit declines without calling");
    }

    [Fact]
    public async Task Should_let_one_probe_through_after_the_break_and_tell_every_listener_how_it_went()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var kit = host.TestKit();
        var (first, second) = (kit.CreateTestProbe(), kit.CreateTestProbe());
        var circuit = Circuit(TimeSpan.FromMilliseconds(500));
        circuit.Subscribe(first.Ref);
        circuit.Subscribe(second.Ref);
        for (var i = 0; i < 4; i++) await circuit.RunAsync(_ => Task.FromResult(Unavailable), CancellationToken.None);
        foreach (var probe in new[] { first, second }) probe.ExpectMsg<MachineCircuit.Changed>().State.ShouldBe(CircuitState.Open);
        await Task.Delay(TimeSpan.FromMilliseconds(650));

        var answer = new TaskCompletionSource<CallOutcome>();
        var probeCall = circuit.RunAsync(_ => answer.Task, CancellationToken.None);
        var other = await circuit.RunAsync(_ => Task.FromResult<CallOutcome>(new CallOutcome.Completed("{}")), CancellationToken.None);
        answer.SetResult(new CallOutcome.Completed("{}"));

        other.ShouldBeOfType<CallOutcome.Declined>("while the probe runs, the other batches' calls are declined and go back to their queues");
        (await probeCall).ShouldBeOfType<CallOutcome.Completed>();
        foreach (var probe in new[] { first, second })
        {
            probe.ExpectMsg<MachineCircuit.Changed>().State.ShouldBe(CircuitState.HalfOpen);
            probe.ExpectMsg<MachineCircuit.Changed>().State.ShouldBe(CircuitState.Closed);
        }
    }

    [Fact]
    public async Task Should_not_count_superseded_calls_against_the_machine()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), runBatches: false);
        var listener = host.TestKit().CreateTestProbe();
        var circuit = Circuit(TimeSpan.FromMinutes(1));
        circuit.Subscribe(listener.Ref);

        for (var i = 0; i < 8; i++)
            await circuit.RunAsync(_ => Task.FromResult<CallOutcome>(new CallOutcome.Superseded("another attempt answered first")), CancellationToken.None);

        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_suspend_the_other_batchs_worker_when_one_batchs_calls_open_the_machines_circuit()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), """
            cofi.gpu.circuit-breaker { minimum-throughput = 4, sampling-duration = 10s, break-duration = 60s }
            cofi.pipeline.stage.stt.simulated { latency = 0ms, transient-rate = 1.0 }
            """, runBatches: false);
        var kit = host.TestKit();
        var circuits = kit.CreateTestProbe();
        host.System.EventStream.Subscribe(circuits.Ref, typeof(MachineCircuitChanged));
        var shared = new SharedMachine(host.System.ActorOf(MachineSlots.Props(host.Settings.Pipeline)), new MachineCircuit(Machine, host.Settings.Gpu.Breaker, TimeProvider.System));
        var (failing, failingStages) = Start(host, 5, shared);
        var (other, otherStages) = Start(host, 6, shared);
        foreach (var probe in failingStages.Values.Concat(otherStages.Values)) probe.ExpectMsg<StageCommands.Pull>();

        for (var file = 1; file <= 4; file++) failing.Tell(new GpuWorkerCommands.Run(new StageCall(5, "stt", File(file), 1, Machine), failingStages["stt"].Ref));

        foreach (var probe in otherStages.Values) probe.ExpectMsg<StageCommands.Suspend>().Worker.ShouldBe(other);
        foreach (var probe in failingStages.Values) probe.FishForMessage<StageCommands.Suspend>(_ => true).Worker.ShouldBe(failing);
        var opened = new[] { circuits.ExpectMsg<MachineCircuitChanged>(), circuits.ExpectMsg<MachineCircuitChanged>() };
        opened.Select(c => (c.BatchId, c.State)).OrderBy(c => c.BatchId).ShouldBe(new[] { (5L, "Open"), (6L, "Open") });
        other.Tell(new GpuWorkerCommands.Run(new StageCall(6, "stt", File(9), 1, Machine), otherStages["stt"].Ref));
        otherStages["stt"].ExpectMsg<StageCommands.Report>().Outcome.ShouldBeOfType<CallOutcome.Declined>().Reason.ShouldContain("circuit of gpu-7 is open");
        host.Calls.Records.Count.ShouldBe(4, "the other batch's call never reached the machine");
    }

    private static MachineCircuit Circuit(TimeSpan breakDuration) =>
        new(Machine, new CircuitBreakerSettings(0.5, 4, TimeSpan.FromSeconds(10), breakDuration), TimeProvider.System);

    private static (IActorRef Worker, IReadOnlyDictionary<string, TestProbe> Stages) Start(PipelineHost host, long batchId, SharedMachine shared)
    {
        var kit = host.TestKit();
        var settings = host.Settings;
        var stages = settings.Pipeline.GpuStages.ToDictionary(s => s.Name, _ => kit.CreateTestProbe());
        var executors = new ConfiguredExecutorProvider(settings, host.Calls, TimeProvider.System);
        var worker = host.System.ActorOf(GpuWorker.Props(batchId, Machine, stages.ToDictionary(s => s.Key, s => s.Value.Ref),
            settings.Pipeline, settings.Gpu.Breaker, executors, TimeProvider.System, shared), $"batch-{batchId}-{Machine}");
        return (worker, stages);
    }

    private static FileWork File(int id) => new(id, $"call-{id}.wav", $"/in/call-{id}.wav", ImmutableDictionary<string, string>.Empty);

    public void Dispose() => _dir.Dispose();
}
