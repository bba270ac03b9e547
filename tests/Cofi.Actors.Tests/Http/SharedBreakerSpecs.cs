using Cofi.Actors.Batches;
using Cofi.Actors.Gpu;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Http;

/// <summary>
/// Two batches at once over real model services on loopback and one machine that refuses connections: the
/// machine's circuit breaker is the machine's, so it opens once for both batches, on one breaker's failures.
/// </summary>
public sealed class SharedBreakerSpecs : IDisposable
{
    private static readonly string[] GpuStages = ["denoise", "ivr", "lid", "stt"];
    private const int Files = 30;
    private const int MinimumThroughput = 10;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_open_the_dead_machines_breaker_once_for_both_batches_on_one_breakers_failures()
    {
        await using var server = await FakeModelServer.StartAsync(2);
        server.Faults = new FaultMix(Latency: TimeSpan.FromMilliseconds(20));
        var dead = FakeModelServer.DeadMachine(0);
        // One slot per stage, and a break longer than the run: the dead machine gets no probe while the batches run.
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), ModelServiceFaultSpecs.HttpPipeline(server, dead) + $$"""
            cofi.max-concurrent-batches = 2
            cofi.stage-defaults.slots = 1
            cofi.gpu.circuit-breaker { minimum-throughput = {{MinimumThroughput}}, sampling-duration = 30s, break-duration = 60s }
            """);
        var circuits = host.TestKit().CreateTestProbe();
        host.System.EventStream.Subscribe(circuits.Ref, typeof(MachineCircuitChanged));

        var first = await SharedSlotsSpecs.SubmitAsync(host, Input("first"), priority: 0);
        var second = await SharedSlotsSpecs.SubmitAsync(host, Input("second"), priority: 0);
        var (firstEnd, secondEnd) = (await SharedSlotsSpecs.AwaitAsync(host, first), await SharedSlotsSpecs.AwaitAsync(host, second));

        (firstEnd.Status, secondEnd.Status).ShouldBe((BatchStatus.Completed, BatchStatus.Completed));
        var changes = circuits.ReceiveWhile(TimeSpan.FromSeconds(1), m => m as MachineCircuitChanged).OfType<MachineCircuitChanged>()
            .Where(c => c.Machine == dead).ToList();
        var opened = changes.Where(c => c.State == "Open").ToList();
        opened.Select(c => c.BatchId).Order().ToList().ShouldBe([first, second], "one opening, seen by each batch's worker");
        (opened[1].At - opened[0].At).Duration().ShouldBeLessThan(TimeSpan.FromSeconds(2));
        changes.ShouldNotContain(c => c.State != "Open", "no probe and no closing while the break lasts");

        var journal = host.Journal();
        var deadAttempts = 0;
        foreach (var batch in new[] { first, second })
            foreach (var stage in GpuStages)
            {
                var records = await journal.StageRecordsAsync(batch, stage);
                deadAttempts += records.Values.SelectMany(r => r.History ?? []).Count(a => a.Machine == dead);
                var recorded = await journal.RecordedAsync(batch, stage);
                recorded.Count.ShouldBe(Files, $"batch {batch} records each file once at {stage}");
                recorded.Select(r => r.FileId).Distinct().Count().ShouldBe(Files);
            }
        // One breaker's failures, and the calls already at the machine (one slot per stage) when it opened; two breakers would need twice the failures.
        deadAttempts.ShouldBeInRange(MinimumThroughput, MinimumThroughput + GpuStages.Length - 1, $"{deadAttempts} attempts on the dead machine");
    }

    private string Input(string name)
    {
        var input = Path.Combine(_dir.Path, name);
        SampleBatch.Generate(input, Files, 0);
        return input;
    }

    public void Dispose() => _dir.Dispose();
}
