using Akka.Actor;
using Akka.Hosting;
using Akka.Configuration;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Hosting;
using Cofi.Actors.Logging;
using Cofi.Actors.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cofi.Host.Runtime;

/// <summary>The embedded Cofi: one process with every role, its ActorSystem, database and simulated GPU machines.</summary>
public sealed class CofiRuntime : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly IDisposable[] _owned;

    private CofiRuntime(IHost host, CofiSettings settings, DatabaseSettings database, IDisposable[] owned)
    {
        _host = host;
        _owned = owned;
        Settings = settings;
        Database = database;
        System = host.Services.GetRequiredService<ActorSystem>();
        BatchManager = host.Services.GetRequiredService<ActorRegistry>().TryGet<BatchManager>(out var manager) ? manager : ActorRefs.Nobody;
    }

    public ActorSystem System { get; }

    /// <summary>Nobody when the runtime was started only to read the database.</summary>
    public IActorRef BatchManager { get; }

    public CofiSettings Settings { get; }

    public DatabaseSettings Database { get; }

    /// <param name="cluster">null: the embedded process, outside any cluster, with its own simulated GPU machines.</param>
    public static async Task<CofiRuntime> StartAsync(Config config, CofiSettings settings, DatabaseSettings database, bool runBatches, NodeSettings? cluster = null)
    {
        var owned = new List<IDisposable>();
        var coordinates = cluster is null || cluster.IsCoordinator;
        if (runBatches && coordinates && database.SqliteFile is { } file) owned.Add(DatabaseLock.Acquire(file));
        ICallRecorder recorder = NoCallRecorder.Instance;
        if (settings.Simulated.CallLog is { } callLog)
        {
            var fileRecorder = new FileCallRecorder(callLog);
            owned.Add(fileRecorder);
            recorder = fileRecorder;
        }
        // A GPU node's own machines are served by model services on the node itself, at cofi.gpu.local-host.
        var localMachines = cluster is { IsGpu: true } ? cluster.Machines(settings.Simulated.GpuMachines) : [];
        var executors = new ConfiguredExecutorProvider(settings, recorder, TimeProvider.System, localMachines);
        owned.Add(executors);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(cluster?.ActorSystem ?? "cofi", akka =>
        {
            akka.AddCofiConfig(config);
            if (coordinates) akka.AddCofiPersistence(database);
            var runsBatches = runBatches && coordinates;
            if (runsBatches) akka.AddEventWriter(database, settings.Pipeline, EventWriterSettings.FromConfig(config));
            if (cluster is null)
            {
                if (runBatches) akka.AddCofiPipeline(settings, CofiHosting.Machines(settings), executors, TimeProvider.System);
                return;
            }
            akka.AddCofiCluster(cluster);
            if (runsBatches) akka.AddCofiCoordinator(settings, executors, TimeProvider.System);
            // A member with no role (an operator command) reaches the coordinator through a proxy.
            if (cluster.Roles.Count == 0) akka.AddCofiCoordinatorProxy();
            if (cluster.IsGpu)
                akka.AddCofiGpuNode(cluster.NodeName, cluster.Machines(settings.Simulated.GpuMachines), settings, executors, TimeProvider.System);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            foreach (var o in owned) o.Dispose();
            throw;
        }
        if (runBatches && cluster is { IsCoordinator: true } && database.IsSqlite)
        {
            try
            {
                await SingleCoordinator.EnsureAsync(host.Services.GetRequiredService<ActorSystem>(), database);
            }
            catch
            {
                await new CofiRuntime(host, settings, database, owned.ToArray()).DisposeAsync();
                throw;
            }
        }
        return new CofiRuntime(host, settings, database, owned.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        foreach (var o in _owned) o.Dispose();
    }
}
