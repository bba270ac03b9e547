using Akka.Actor;
using Akka.TestKit;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Stages;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Stages;

/// <summary>A StageActor started on its own, with probes standing in for its GPU worker, the next stage and its supervisor.</summary>
internal sealed class StageProbes(PipelineHost host, long batchId)
{
    public Akka.TestKit.Xunit2.TestKit Kit { get; } = host.TestKit();

    public TestProbe Worker { get; } = host.TestKit().CreateTestProbe();

    public TestProbe Next { get; } = host.TestKit().CreateTestProbe();

    /// <summary>Sees the stage's signals but not its every count (<see cref="StageSignals.Progress"/>).</summary>
    public TestProbe Supervisor { get; } = IgnoringProgress(host.TestKit().CreateTestProbe());

    /// <summary>Starts stage <paramref name="name"/>; under its usual name it is awaited until it says it is ready.</summary>
    public IActorRef Start(string name, string? actorName = null)
    {
        var settings = host.Settings;
        var executors = new ConfiguredExecutorProvider(settings, host.Calls, TimeProvider.System);
        var actor = host.System.ActorOf(StageActor.Props(batchId, settings.Pipeline[name], PipelineMode.Streaming, settings.Persistence,
            Next.Ref, Supervisor.Ref, executors, TimeProvider.System), actorName ?? $"stage-{name}");
        // The first recovery in a fresh host also starts the journal: more than the default 3 s on a busy machine.
        if (actorName is null) Supervisor.ExpectMsg<StageSignals.Ready>(TimeSpan.FromSeconds(15));
        return actor;
    }

    private static TestProbe IgnoringProgress(TestProbe probe)
    {
        probe.IgnoreMessages<StageSignals.Progress>();
        return probe;
    }

    public async Task StopAsync(IActorRef actor)
    {
        var watcher = Kit.CreateTestProbe();
        watcher.Watch(actor);
        await actor.GracefulStop(TimeSpan.FromSeconds(5));
        watcher.ExpectTerminated(actor);
    }
}
