using Akka.Hosting;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Progress;

public static class ProgressHosting
{
    /// <summary>
    /// The <see cref="ProgressBroadcaster"/>, registered as itself; add it before the pipeline so it sees every batch's
    /// progress. In a cluster its distributed pub-sub runs among the coordinators only (they are where it runs).
    /// </summary>
    public static AkkaConfigurationBuilder AddProgressBroadcaster(this AkkaConfigurationBuilder builder, ProgressSettings settings,
        PipelineSettings pipeline, TimeProvider clock) =>
        builder
            .AddHocon($"akka.cluster.pub-sub.role = {NodeSettings.Coordinator}", HoconAddMode.Prepend)
            .WithActors((system, registry) => registry.Register<ProgressBroadcaster>(
                system.ActorOf(ProgressBroadcaster.Props(settings, pipeline.Stages.Select(s => s.Name).ToList(), clock), ProgressBroadcaster.Name)));
}
