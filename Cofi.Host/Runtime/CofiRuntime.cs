using Akka.Actor;
using Akka.Hosting;
using Akka.Configuration;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Hosting;
using Cofi.Actors.Logging;
using Cofi.Actors.Persistence;
using Cofi.Actors.Progress;
using Cofi.Host.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cofi.Host.Runtime;

/// <summary>
/// The embedded Cofi: one process with every role, its ActorSystem, database and simulated GPU machines, and, when
/// asked, the web server (dashboard, SSE, REST API).
/// </summary>
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
        EventWriter = host.Services.GetRequiredService<ActorRegistry>().TryGet<EventWriter>(out var writer) ? writer : ActorRefs.Nobody;
        WebAddress = host.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
    }

    /// <summary>Where the dashboard is served, e.g. http://127.0.0.1:5080; null without the web server.</summary>
    public string? WebAddress { get; }

    public ActorSystem System { get; }

    /// <summary>Nobody when the runtime was started only to read the database.</summary>
    public IActorRef BatchManager { get; }

    /// <summary>Nobody when this process runs no batches.</summary>
    public IActorRef EventWriter { get; }

    public CofiSettings Settings { get; }

    public DatabaseSettings Database { get; }

    /// <param name="web">serve the dashboard and API with these settings; null: no web server.</param>
    /// <param name="cluster">null: the embedded process, outside any cluster, with its own simulated GPU machines.</param>
    public static async Task<CofiRuntime> StartAsync(Config config, CofiSettings settings, DatabaseSettings database, bool runBatches,
        WebSettings? web = null, NodeSettings? cluster = null)
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
        void AddAkka(IServiceCollection services) => services.AddAkka(cluster?.ActorSystem ?? "cofi", akka =>
        {
            akka.AddCofiConfig(config);
            if (coordinates) akka.AddCofiPersistence(database);
            var runsBatches = runBatches && coordinates;
            if (runsBatches) akka.AddEventWriter(database, settings.Pipeline, EventWriterSettings.FromConfig(config));
            if ((runsBatches || web is not null) && coordinates)
                akka.AddProgressBroadcaster(ProgressSettings.FromConfig(config), settings.Pipeline, TimeProvider.System);
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
        IHost host;
        if (web is null)
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.ClearProviders();
            AddAkka(builder.Services);
            host = builder.Build();
        }
        else
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrelCore();
            builder.Services.AddRoutingCore();
            builder.Services.AddSingleton(settings);
            builder.Services.AddSingleton(database);
            builder.AddCofiWeb(web);
            AddAkka(builder.Services);
            var app = builder.Build();
            app.MapCofiWeb();
            host = app;
        }
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
