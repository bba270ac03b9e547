using Akka.Hosting;
using Cofi.Actors.Configuration;
using Cofi.Actors.Progress.History;

namespace Cofi.Actors.Progress;

public static class ProgressHosting
{
    /// <summary>
    /// The <see cref="ProgressBroadcaster"/> and the <see cref="HistoryKeeper"/> beside it, registered as themselves; add
    /// them before the pipeline so they see every batch's progress. In a cluster its distributed pub-sub runs among the coordinators only (they are where it runs).
    /// </summary>
    public static AkkaConfigurationBuilder AddProgressBroadcaster(this AkkaConfigurationBuilder builder, ProgressSettings settings,
        PipelineSettings pipeline, TimeProvider clock) =>
        builder
            .AddHocon($"akka.cluster.pub-sub.role = {NodeSettings.Coordinator}", HoconAddMode.Prepend)
            .WithActors((system, registry) =>
            {
                var stageOrder = pipeline.Stages.Select(s => s.Name).ToList();
                registry.Register<ProgressBroadcaster>(system.ActorOf(ProgressBroadcaster.Props(settings, stageOrder, clock), ProgressBroadcaster.Name));
                var slots = pipeline.Stages.Where(s => s.RunsOnGpuMachines).ToDictionary(s => s.Name, s => s.Slots);
                registry.Register<HistoryKeeper>(system.ActorOf(HistoryKeeper.Props(stageOrder, slots, clock), HistoryKeeper.Name));
            });
}
