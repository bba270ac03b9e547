using Akka.Hosting;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Progress;

public static class ProgressHosting
{
    /// <summary>The <see cref="ProgressBroadcaster"/>, registered as itself; add it before the pipeline so it sees every batch's progress.</summary>
    public static AkkaConfigurationBuilder AddProgressBroadcaster(this AkkaConfigurationBuilder builder, ProgressSettings settings,
        PipelineSettings pipeline, TimeProvider clock) =>
        builder.WithActors((system, registry) => registry.Register<ProgressBroadcaster>(
            system.ActorOf(ProgressBroadcaster.Props(settings, pipeline.Stages.Select(s => s.Name).ToList(), clock), ProgressBroadcaster.Name)));
}
