using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Hosting;
using Cofi.Actors.Logging;
using Cofi.Actors.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cofi.Actors.Tests.Support;

/// <summary>
/// A Cofi ActorSystem built the way the process builds it (same hosting extensions), on a real SQLite file,
/// with simulated GPU machines whose every call lands in <see cref="Calls"/>.
/// </summary>
public sealed class PipelineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private PipelineHost(IHost host, CofiSettings settings, InMemoryCallRecorder calls)
    {
        _host = host;
        Settings = settings;
        Calls = calls;
        System = host.Services.GetRequiredService<ActorSystem>();
        Manager = host.Services.GetRequiredService<ActorRegistry>().TryGet<BatchManager>(out var manager) ? manager : ActorRefs.Nobody;
    }

    public ActorSystem System { get; }

    public IActorRef Manager { get; }

    public CofiSettings Settings { get; }

    public InMemoryCallRecorder Calls { get; }

    /// <param name="hocon">Overrides on top of the shipped defaults, e.g. zero latency or injected faults.</param>
    /// <param name="runBatches">false: only open the database, e.g. to read the journal between two runs.</param>
    public static Task<PipelineHost> StartAsync(string databaseFile, string hocon = "", bool runBatches = true) =>
        StartAsync(DatabaseSettings.Sqlite(databaseFile), hocon, runBatches);

    /// <param name="environment">Stands in for the process environment when the EventWriter reads its settings.</param>
    public static async Task<PipelineHost> StartAsync(DatabaseSettings database, string hocon = "", bool runBatches = true,
        Func<string, string?>? environment = null)
    {
        var config = CofiConfig.Load(null, Fast, hocon);
        var settings = CofiSettings.FromConfig(config);
        var calls = new InMemoryCallRecorder();
        var executors = new ConfiguredExecutorProvider(settings, calls, TimeProvider.System);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        var plan = runBatches ? NodePlan.Embedded(web: false) : NodePlan.Reader();
        var services = new NodeServices(config, settings, database, executors, TimeProvider.System, environment ?? (_ => null));
        builder.Services.AddAkka($"cofi-test-{Guid.NewGuid():N}", akka => akka.AddCofi(plan, services));
        var host = builder.Build();
        await host.StartAsync();
        return new PipelineHost(host, settings, calls);
    }

    /// <summary>Zero latency everywhere and quick retries, so a test's time goes into the pipeline, not into waiting.</summary>
    private const string Fast = """
        cofi.stage-defaults { backoff-base = 5ms, backoff-max = 50ms }
        cofi.pipeline.stage {
          denoise.simulated { latency = 0ms, spread = 0ms }
          ivr.simulated { latency = 0ms, spread = 0ms }
          lid.simulated { latency = 0ms, spread = 0ms }
          stt.simulated { latency = 0ms, spread = 0ms }
          llm1.simulated { latency = 0ms, spread = 0ms }
          llm2.simulated { latency = 0ms, spread = 0ms }
        }
        """;

    public async Task<BatchFinished> RunAsync(string input, TimeSpan? timeout = null)
    {
        var accepted = await Manager.Ask<BatchReplies.Accepted>(new BatchCommands.Submit(input, ResumeUnfinished: true), TimeSpan.FromSeconds(30));
        return await Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(accepted.BatchId), timeout ?? TimeSpan.FromMinutes(2));
    }

    public JournalReader Journal() => new(System);

    /// <summary>The EventWriter (<see cref="ActorRefs.Nobody"/> when the host runs no batches).</summary>
    public IActorRef EventWriter => _host.Services.GetRequiredService<ActorRegistry>().TryGet<EventWriter>(out var writer) ? writer : ActorRefs.Nobody;

    /// <summary>Writes everything the EventWriter holds and returns its figures.</summary>
    public Task<EventWriterStats> DrainEventWriterAsync() => EventWriter.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromMinutes(2));

    /// <summary>A TestKit on this host's system; the host, not the kit, shuts the system down.</summary>
    public Akka.TestKit.Xunit2.TestKit TestKit() => new(System);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
