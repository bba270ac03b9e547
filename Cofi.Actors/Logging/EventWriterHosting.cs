using Akka;
using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;

namespace Cofi.Actors.Logging;

/// <summary>Adds the read-model tables (created or migrated now) and the EventWriter that fills them.</summary>
public static class EventWriterHosting
{
    public static AkkaConfigurationBuilder AddEventWriter(this AkkaConfigurationBuilder builder, DatabaseSettings db,
        PipelineSettings pipeline, EventWriterSettings settings)
    {
        ReadModelSchema.Create(db, pipeline);
        var store = new ReadModelStore(db, pipeline, settings.FlushRows);
        var options = new ReadModelOptions(pipeline, settings.LogFileStartEvents, settings.ProgressUpdateInterval);
        return builder.WithActors((system, registry) =>
        {
            var writer = system.ActorOf(EventWriter.Props(store, options, settings), EventWriter.Name);
            // Subscribed here rather than in the actor, so no event recorded after start can go by before it listens.
            system.EventStream.Subscribe(writer, typeof(JournalRecorded));
            registry.Register<EventWriter>(writer);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "flush-event-writer", async () =>
            {
                try
                {
                    await writer.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromSeconds(10));
                }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
                {
                    // The database is unreachable: the rows are in the journal, and the next start catches up from it.
                }
                return Done.Instance;
            });
        });
    }
}
