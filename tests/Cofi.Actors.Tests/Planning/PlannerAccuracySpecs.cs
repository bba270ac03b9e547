using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Inputs;
using Cofi.Actors.Planning;
using Cofi.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Cofi.Actors.Tests.Planning;

/// <summary>
/// The capacity planner against a real batch: 2,000 files on 4 simulated GPU machines with the shipped latencies run
/// through the pipeline, then the planner, given the batch's recorded call times, predicts the same batch; the
/// prediction falls within 10 % of the batch's actual makespan (start to finish).
/// </summary>
public sealed class PlannerAccuracySpecs(ITestOutputHelper output) : IDisposable
{
    private const int Files = 2_000;
    private const int Machines = 4;

    // PipelineHost runs at zero latency; these are hocon/cofi.conf's simulated latencies again.
    private const string Shipped = """
        cofi.simulated.gpu-machines = 4
        cofi.pipeline.stage {
          denoise.simulated { latency = 40ms, spread = 10ms }
          ivr.simulated { latency = 20ms, spread = 5ms }
          lid.simulated { latency = 20ms, spread = 5ms }
          stt.simulated { latency = 120ms, spread = 40ms }
          llm1.simulated { latency = 80ms, spread = 30ms }
          llm2.simulated { latency = 60ms, spread = 20ms }
        }
        """;

    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_predict_a_2000_file_batch_on_4_machines_within_10_percent_of_its_makespan()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, Files, 10);
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), Shipped);

        var finished = await host.RunAsync(input, TimeSpan.FromMinutes(3));
        var status = await host.Manager.Ask<BatchReplies.Status>(new BatchQueries.GetStatus(finished.BatchId), TimeSpan.FromSeconds(30));
        var actual = status.Batch.FinishedAt!.Value - status.Batch.StartedAt!.Value;
        var recorded = (await RecordedProfiles.ReadAsync(host.Journal(), host.Settings.Pipeline, finished.BatchId))!.Value;
        var plan = CapacityPlanner.Predict(new PlanInput(recorded.Files, Machines, host.Settings.Pipeline.Mode, recorded.Stages, 0m));

        var ratio = plan.Makespan / actual;
        output.WriteLine($"predicted {plan.Makespan.TotalSeconds:0.00} s, actual {actual.TotalSeconds:0.00} s: {ratio:0.000}; bottleneck {plan.Bottleneck}");
        finished.Status.ShouldBe(BatchStatus.Completed);
        recorded.Files.ShouldBe(Files);
        ratio.ShouldBeInRange(0.9, 1.1, "the planner runs the stages' own dispatcher on the batch's own call times");
    }

    public void Dispose() => _dir.Dispose();
}
