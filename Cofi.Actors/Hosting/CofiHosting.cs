using Akka;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Hosting;
using Cofi.Actors.Gpu;
using Akka.Hosting;
using Akka.Persistence.Sql.Config;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Logging;
using Cofi.Actors.Metrics;
using Cofi.Actors.Persistence;
using Cofi.Actors.Progress;
using LinqToDB;

namespace Cofi.Actors.Hosting;

/// <summary>The hosting extensions the process and the tests compose an ActorSystem from.</summary>
public static class CofiHosting
{
    /// <summary>
    /// Everything <paramref name="plan"/> asks for, in the order it must start: configuration, persistence, the
    /// EventWriter and ProgressBroadcaster (before any batch records an event), then the batches, the cluster and the
    /// GPU node.
    /// </summary>
    public static AkkaConfigurationBuilder AddCofi(this AkkaConfigurationBuilder builder, NodePlan plan, NodeServices services)
    {
        var (config, settings, database, executors, clock) = (services.Config, services.Settings, services.Database, services.Executors, services.Clock);
        var shutdown = ShutdownSettings.FromConfig(config, services.Environment);
        builder.AddCofiConfig(config);
        if (plan.OpensJournal) builder.AddCofiPersistence(database);
        if (plan.HostsEventWriter) builder.AddEventWriter(database, settings.Pipeline, EventWriterSettings.FromConfig(config, services.Environment));
        if (plan.HostsBroadcaster) builder.AddProgressBroadcaster(ProgressSettings.FromConfig(config), settings.Pipeline, clock);
        if (plan.HostsEventWriter) builder.AddCofiMetrics();
        if (plan.Cluster is not { } cluster)
        {
            if (plan.RunsBatches) builder.AddCofiPipeline(settings, database, Machines(settings), executors, clock, shutdown, plan.HoldsBatches);
            return builder;
        }
        builder.AddCofiCluster(cluster);
        if (plan.RunsBatches && plan.IsCoordinator) builder.AddCofiCoordinator(settings, database, executors, clock, shutdown);
        if (plan.ProxiesCoordinator) builder.AddCofiCoordinatorProxy();
        if (plan.HostsGpuNode)
            builder.AddCofiGpuNode(cluster.NodeName, cluster.Machines(settings.Simulated.GpuMachines), settings, executors, clock, shutdown);
        return builder;
    }

    /// <summary>Akka settings and serializers from hocon/, with <paramref name="config"/> (Cofi's loaded configuration) on top.</summary>
    public static AkkaConfigurationBuilder AddCofiConfig(this AkkaConfigurationBuilder builder, Config config) =>
        builder.AddHocon(config, HoconAddMode.Prepend);

    /// <summary>Journal, snapshots and read journal on <paramref name="db"/>.</summary>
    public static AkkaConfigurationBuilder AddCofiPersistence(this AkkaConfigurationBuilder builder, DatabaseSettings db)
    {
        builder.AddHocon(PersistenceHocon.For(db), HoconAddMode.Prepend);
        if (db.IsSqlite)
        {
            SqlitePragmas.EnableWal(db.ConnectionString);
            var options = new DataOptions().UseConnectionString(db.ProviderName, db.ConnectionString).UseInterceptor(new SqlitePragmas());
            builder.AddSetup(new DataOptionsSetup(options));
        }
        else MySqlJournalSchema.Create(db);
        return builder;
    }

    /// <summary>
    /// The BatchManager (and through it every batch's actors), registered as <see cref="BatchManager"/>. On shutdown
    /// the batches are held first (no new work; the calls in flight get the grace to finish and be recorded), then
    /// stopped (calls still out are made again on the next start), so what comes after — the execution log's last
    /// flush — sees the journal as it will stay.
    /// </summary>
    /// <param name="held">the manager starts no batch: the process only maintains the database.</param>
    public static AkkaConfigurationBuilder AddCofiPipeline(this AkkaConfigurationBuilder builder, CofiSettings settings, DatabaseSettings database,
        IReadOnlyList<string> machines, IExecutorProvider executors, TimeProvider clock, ShutdownSettings shutdown, bool held = false) =>
        builder.AddHoldPhase(shutdown).WithActors((system, registry) =>
        {
            var manager = system.ActorOf(BatchManager.Props(settings, database, machines, executors, clock, held), BatchManager.Name);
            registry.Register<BatchManager>(manager);
            HoldBatchesOnShutdown(system, () => Task.FromResult<IActorRef?>(manager), shutdown);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "stop-batches", async () =>
            {
                try
                {
                    await manager.GracefulStop(TimeSpan.FromSeconds(5));
                }
                catch (TaskCanceledException)
                {
                    // Still stopping: the actor system's termination ends it.
                }
                return Done.Instance;
            });
        });

    /// <summary>Remoting and clustering; a process with no seeds joins itself and forms a cluster of one.</summary>
    public static AkkaConfigurationBuilder AddCofiCluster(this AkkaConfigurationBuilder builder, NodeSettings cluster)
    {
        builder.AddHocon(CofiConfig.Cluster, HoconAddMode.Prepend)
            .WithRemoting(cluster.Ip, cluster.Port)
            // Over TLS the transport's protocol is akka.ssl.tcp: the seeds keep the addresses operators know, in its scheme.
            .WithClustering(new ClusterOptions
            {
                Roles = cluster.Roles.ToArray(),
                SeedNodes = ClusterTls.SeedsOver(cluster.Tls, cluster.Seeds),
            });
        if (cluster.Tls is { } tls) builder.WithClusterTls(tls);
        if (cluster.Seeds.Count == 0)
            builder.WithActors((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress));
        return builder;
    }

    /// <summary>TLS on the remoting transport: the cluster's certificate presented, and a peer accepted only with the same one.</summary>
    public static AkkaConfigurationBuilder WithClusterTls(this AkkaConfigurationBuilder builder, ClusterTls tls) =>
        builder.AddHocon("akka.remote.dot-netty.tcp.enable-ssl = on", HoconAddMode.Prepend)
            .AddSetup(new Akka.Remote.Transport.DotNetty.DotNettySslSetup(tls.Certificate, suppressValidation: false,
                requireMutualAuthentication: tls.RequirePeer,
                Akka.Remote.Transport.DotNetty.CertificateValidation.PinnedCertificate(tls.Certificate.Thumbprint)));

    /// <summary>
    /// The BatchManager as a cluster singleton on the coordinator role, with its proxy registered as
    /// <see cref="BatchManager"/>. On shutdown, the coordinator that runs the singleton holds its batches like the
    /// embedded process before handing the singleton over; a standby has nothing to hold.
    /// </summary>
    public static AkkaConfigurationBuilder AddCofiCoordinator(this AkkaConfigurationBuilder builder, CofiSettings settings, DatabaseSettings database,
        IExecutorProvider executors, TimeProvider clock, ShutdownSettings shutdown) =>
        builder.WithSingleton<BatchManager>(BatchManager.Name, BatchManager.Props(settings, database, HttpEndpointMachines(settings), executors, clock),
                new ClusterSingletonOptions { Role = NodeSettings.Coordinator })
            .AddHoldPhase(shutdown)
            .WithActors((system, _) => HoldBatchesOnShutdown(system, () => LocalSingletonAsync(system), shutdown));

    /// <summary>A proxy to the coordinator's BatchManager, registered as <see cref="BatchManager"/>, for a process with no role that only sends it commands.</summary>
    public static AkkaConfigurationBuilder AddCofiCoordinatorProxy(this AkkaConfigurationBuilder builder) =>
        builder.WithSingletonProxy<BatchManager>(BatchManager.Name, new ClusterSingletonOptions { Role = NodeSettings.Coordinator });

    /// <summary>This node's GPU machines, and a shutdown step that drains them (within the grace) before the node leaves the cluster.</summary>
    public static AkkaConfigurationBuilder AddCofiGpuNode(this AkkaConfigurationBuilder builder, string node, IReadOnlyList<string> machines,
        CofiSettings settings, IExecutorProvider executors, TimeProvider clock, ShutdownSettings shutdown) =>
        builder.AddHocon($"akka.coordinated-shutdown.phases.before-cluster-shutdown.timeout = {Hocon(shutdown.Grace + ShutdownSettings.Margin)}",
                HoconAddMode.Prepend)
            .WithActors((system, registry) =>
            {
                var gpuNode = system.ActorOf(GpuNode.Props(node, machines, settings.Pipeline, settings.Gpu.Breaker, executors, clock), GpuNode.Name);
                registry.Register<GpuNode>(gpuNode);
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "drain-gpu-node", async () =>
                {
                    try
                    {
                        await gpuNode.Ask<GpuNodeDrained>(GpuNodeCommands.Drain.Instance, shutdown.Grace);
                    }
                    catch (AskTimeoutException)
                    {
                        // The grace ran out: the calls still out go back to the queue when this node has left.
                        system.Log.Warning("{0}: the calls in flight did not finish within {1}; leaving without them", node, shutdown.Grace);
                    }
                    return Done.Instance;
                });
            });

    /// <summary>The hold may take the whole grace: its phase (the first one) gets the grace and the margin.</summary>
    private static AkkaConfigurationBuilder AddHoldPhase(this AkkaConfigurationBuilder builder, ShutdownSettings shutdown) =>
        builder.AddHocon($"akka.coordinated-shutdown.phases.before-service-unbind.timeout = {Hocon(shutdown.Grace + ShutdownSettings.Margin)}",
            HoconAddMode.Prepend);

    /// <summary>
    /// The first step of a shutdown: the BatchManager holds every running batch (no new work) until the calls in flight
    /// are back and recorded, or the grace runs out; its answer goes on the event stream for whoever reports the stop.
    /// </summary>
    private static void HoldBatchesOnShutdown(ActorSystem system, Func<Task<IActorRef?>> manager, ShutdownSettings shutdown) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "hold-batches", async () =>
        {
            try
            {
                if (await manager() is { } local)
                    system.EventStream.Publish(await local.Ask<BatchesHeld>(new BatchCommands.Hold(shutdown.Grace), shutdown.Grace + TimeSpan.FromSeconds(3)));
            }
            catch (AskTimeoutException)
            {
                system.Log.Warning("The batches were not held within {0}; stopping them with their calls in flight", shutdown.Grace);
            }
            return Done.Instance;
        });

    /// <summary>
    /// The BatchManager singleton when it runs on this node, null on a standby: Akka.Hosting's singleton manager is
    /// /user/batch-manager and names the singleton it starts after itself.
    /// </summary>
    private static async Task<IActorRef?> LocalSingletonAsync(ActorSystem system)
    {
        var identity = await system.ActorSelection($"/user/{BatchManager.Name}/{BatchManager.Name}").Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(3));
        return identity.Subject;
    }

    private static string Hocon(TimeSpan duration) => $"{(long)duration.TotalMilliseconds}ms";

    /// <summary>The configured GPU machines when the GPU stages call model services over HTTP, else the simulated ones.</summary>
    public static IReadOnlyList<string> Machines(CofiSettings settings) =>
        UsesHttp(settings) ? settings.Gpu.Machines : SimulatedMachines(settings.Simulated.GpuMachines);

    /// <summary>In a cluster, the coordinator serves only the GPU machines that are HTTP endpoints; members with role gpu bring the rest.</summary>
    public static IReadOnlyList<string> HttpEndpointMachines(CofiSettings settings) =>
        UsesHttp(settings) ? settings.Gpu.Machines : [];

    private static bool UsesHttp(CofiSettings settings) => settings.Pipeline.GpuStages.Any(s => s.Executor == ExecutorKind.Http);

    public static IReadOnlyList<string> SimulatedMachines(int count) =>
        Enumerable.Range(1, count).Select(i => $"gpu-{i}").ToList();
}
