using Cofi.Actors.Configuration;
using Cofi.Actors.Planning;

namespace Cofi.Actors.Tests.Planning;

public sealed class CapacityPlannerSpecs
{
    [Fact]
    public void Should_predict_the_ideal_makespan_of_one_gpu_stage_and_name_it_the_bottleneck()
    {
        var settings = CofiSettings.FromConfig(CofiConfig.Load(null, """
            cofi.pipeline.stages = [distribution, stt, metadata]
            cofi.pipeline.stage.stt { slots = 2, simulated { latency = 100ms, spread = 0ms } }
            cofi.pipeline.stage.metadata.simulated { latency = 0ms }
            """));

        var plan = CapacityPlanner.Predict(new PlanInput(400, 4, PipelineMode.Streaming, StageProfiles.FromConfiguration(settings.Pipeline), 2.50m));

        plan.Makespan.ShouldBe(TimeSpan.FromSeconds(5), "400 calls of 100 ms on 4 machines x 2 slots");
        plan.Bottleneck.ShouldBe("stt");
        plan.Stages.Single(s => s.Stage == "stt").ShouldSatisfyAllConditions(s => s.Calls.ShouldBe(400), s => s.Utilization.ShouldBe(1.0, 0.001));
        plan.GpuHours.ShouldBe(4 * 5 / 3600.0, 1e-9);
        plan.Cost.ShouldBe(Math.Round((decimal)(4 * 5 / 3600.0) * 2.50m, 2));
    }

    [Fact]
    public void Should_wait_for_each_stage_to_finish_in_barrier_mode()
    {
        var settings = CofiSettings.FromConfig(CofiConfig.Load(null, """
            cofi.pipeline.stages = [distribution, denoise, stt, metadata]
            cofi.pipeline.stage.denoise { slots = 1, simulated { latency = 100ms, spread = 0ms } }
            cofi.pipeline.stage.stt { slots = 1, simulated { latency = 100ms, spread = 0ms } }
            cofi.pipeline.stage.metadata.simulated { latency = 0ms }
            """));
        var profiles = StageProfiles.FromConfiguration(settings.Pipeline);

        var streaming = CapacityPlanner.Predict(new PlanInput(10, 1, PipelineMode.Streaming, profiles, 1m));
        var barrier = CapacityPlanner.Predict(new PlanInput(10, 1, PipelineMode.Barrier, profiles, 1m));

        streaming.Makespan.ShouldBe(TimeSpan.FromMilliseconds(1100));
        barrier.Makespan.ShouldBe(TimeSpan.FromMilliseconds(2000));
    }
}
