using Akka.Actor;
using Cofi.Management.Audit;
using Akka.Hosting;
using Akka.Configuration;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Hosting;
using Cofi.Actors.Logging;
using Cofi.Actors.Metrics;
using Cofi.Actors.Persistence;
using Cofi.Host.Web;
using Cofi.Management.Security;
using Cofi.Host.Web.Readiness;
using Cofi.Management;
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
    private readonly CancellationTokenSource _ended = new();

    private CofiRuntime(IHost host, CofiSettings settings, DatabaseSettings database, IDisposable[] owned, bool json = false)
    {
        _host = host;
        _owned = owned;
        Settings = settings;
        Database = database;
        System = host.Services.GetRequiredService<ActorSystem>();
        Log = json ? new NodeLog(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Cofi")) : NodeLog.Text;
        BatchManager = host.Services.GetRequiredService<ActorRegistry>().TryGet<BatchManager>(out var manager) ? manager : ActorRefs.Nobody;
        EventWriter = host.Services.GetRequiredService<ActorRegistry>().TryGet<EventWriter>(out var writer) ? writer : ActorRefs.Nobody;
        WebAddress = host.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        System.WhenTerminated.ContinueWith(_ => _ended.Cancel(), TaskScheduler.Default);
    }

    /// <summary>Where the dashboard (or, on a node without it, health and metrics) is served, e.g. http://127.0.0.1:5080; null without a web server.</summary>
    public string? WebAddress { get; }

    public ActorSystem System { get; }

    /// <summary>The host's services: its endpoints, settings and actors.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Where the node's own lines go: plain text, or the JSON log stream.</summary>
    public NodeLog Log { get; }

    /// <summary>Nobody when the runtime was started only to read the database.</summary>
    public IActorRef BatchManager { get; }

    /// <summary>Nobody when this process runs no batches.</summary>
    public IActorRef EventWriter { get; }

    public CofiSettings Settings { get; }

    public DatabaseSettings Database { get; }

    /// <summary>Cancelled once the ActorSystem has terminated, whatever ended it (a stop, a drain, the cluster downing this node).</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>
    /// Stops this node gracefully and waits until it has: CoordinatedShutdown holds the batches (no new work; the calls
    /// in flight get <c>cofi.shutdown.grace</c> to finish and be recorded), stops them, flushes the read model, leaves
    /// the cluster, and terminates the ActorSystem. Safe to call more than once.
    /// </summary>
    public async Task StopAsync()
    {
        if (!System.WhenTerminated.IsCompleted) await CoordinatedShutdown.Get(System).Run(StopRequested.Instance);
        await System.WhenTerminated;
    }

    /// <param name="web">where the dashboard and API are served; required when <paramref name="plan"/> serves the web.</param>
    /// <param name="management">where health, readiness and metrics are served; required when the plan serves them on a port of their own.</param>
    public static async Task<CofiRuntime> StartAsync(NodePlan plan, Config config, CofiSettings settings, DatabaseSettings database,
        WebSettings? web = null, ManagementSettings? management = null, LogFormat logFormat = LogFormat.Text)
    {
        if (plan.ServesWeb && web is null) throw new ArgumentException("a plan that serves the web needs its settings", nameof(web));
        // Batches the API accepted are scanned confined to the roots it accepted them under.
        if (web is not null) settings = settings with { InputRoots = web.InputRoots };
        var owned = new List<IDisposable>();
        if (plan.HostsEventWriter && database.SqliteFile is { } file) owned.Add(DatabaseLock.Acquire(file));
        ICallRecorder recorder = NoCallRecorder.Instance;
        if (settings.Simulated.CallLog is { } callLog)
        {
            var fileRecorder = new FileCallRecorder(callLog);
            owned.Add(fileRecorder);
            recorder = fileRecorder;
        }
        // A GPU node's own machines are served by model services on the node itself, at cofi.gpu.local-host.
        var localMachines = plan.Cluster is { IsGpu: true } cluster ? cluster.Machines(settings.Simulated.GpuMachines) : [];
        var executors = new ConfiguredExecutorProvider(settings, recorder, TimeProvider.System, localMachines);
        owned.Add(executors);
        var services = new NodeServices(config, settings, database, executors, TimeProvider.System);
        void AddAkka(IServiceCollection s) => s.AddAkka(plan.Cluster?.ActorSystem ?? "cofi", akka =>
        {
            akka.AddCofi(plan, services);
            // Akka's own log lines join the JSON stream instead of going to stdout as text.
            if (logFormat == LogFormat.Json) akka.ConfigureLoggers(loggers => loggers.ClearLoggers().AddLoggerFactory());
        });
        void AddLogging(ILoggingBuilder logging)
        {
            logging.ClearProviders();
            if (logFormat != LogFormat.Json) return;
            logging.AddJsonConsole(json =>
            {
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.UseUtcTimestamp = true;
            });
            logging.SetMinimumLevel(LogLevel.Information);
            // Requests are counted by the metrics; one line each would drown the node's own lines.
            logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        IHost host;
        if (!plan.ServesWeb && !plan.ServesManagement)
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            AddLogging(builder.Logging);
            WithoutSignalHandling(builder.Services);
            AddAkka(builder.Services);
            host = builder.Build();
        }
        else
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            AddLogging(builder.Logging);
            WithoutSignalHandling(builder.Services);
            builder.WebHost.UseKestrelCore();
            builder.Services.AddRoutingCore();
            builder.Services.AddSingleton(settings);
            builder.Services.AddSingleton(database);
            builder.AddCofiManagement(CofiMetrics.MeterName);
            if (plan.ServesWeb)
            {
                builder.AddCofiWeb(web!);
                builder.Services.AddSingleton<IReadinessCheck, DatabaseCheck>();
                builder.Services.AddSingleton<IReadinessCheck, BatchManagerCheck>();
            }
            else
            {
                builder.ListenManagement(management ?? throw new ArgumentException("a plan that serves management needs its settings", nameof(management)));
                if (plan.HostsGpuNode) builder.Services.AddSingleton<IReadinessCheck, ModelServicesCheck>();
            }
            AddAkka(builder.Services);
            var app = builder.Build();
            if (plan.ServesWeb) app.MapCofiWeb();
            else app.UseCofiAccess();
            app.MapCofiManagement();
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
        if (plan.HostsEventWriter && plan.Cluster is not null && database.IsSqlite)
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
        // A coordinator records the audit entries of GPU nodes and the Lighthouse in its own trail.
        if (plan.ServesWeb && plan.Cluster is not null)
            host.Services.GetRequiredService<ActorSystem>().ActorOf(AuditInbox.Props(host.Services.GetRequiredService<IAuditTrail>()), AuditInbox.Name);
        return new CofiRuntime(host, settings, database, owned.ToArray(), logFormat == LogFormat.Json);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        foreach (var o in _owned) o.Dispose();
    }

    /// <summary>Why this node's CoordinatedShutdown ran: the process was asked to stop.</summary>
    private sealed class StopRequested : CoordinatedShutdown.Reason
    {
        public static readonly StopRequested Instance = new();

        // Not used: the process, not CoordinatedShutdown, decides how it exits (exit-clr is off).
        public override int ExitCode => 0;
    }

    /// <summary>The Generic Host's lifetime without its console handlers: <see cref="StopSignals"/> alone answers SIGINT and SIGTERM.</summary>
    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static void WithoutSignalHandling(IServiceCollection services)
    {
        services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        // By the time the host stops, the ActorSystem has; open SSE streams must not hold the exit for long.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
    }
}
