using Akka.Actor;
using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using Cofi.Host.Web;
using Cofi.Management;

namespace Cofi.Host.Runtime;

/// <summary>
/// A standing node (serve, node): starts the runtime its plan asks for, says where it serves, and runs until SIGTERM
/// or Ctrl+C (<see cref="StopSignals"/>): no new work, the calls in flight finish within <c>cofi.shutdown.grace</c>
/// and are recorded, the node leaves the cluster gracefully and exits 0. A second signal stops it at once.
/// </summary>
public static class ServiceHost
{
    /// <summary>The exit code of a node whose TLS handshake with the cluster failed (Akka.Remote's own for it).</summary>
    public const int TlsRefusedExit = 79;

    /// <param name="bind">--bind, over cofi.web.bind and its variable (a coordinator's web server).</param>
    /// <param name="port">--port, likewise.</param>
    public static async Task<int> RunAsync(RuntimeOptions options, string? bind, int? port, LogFormat logFormat)
    {
        var (config, settings) = options.LoadConfiguration();
        using var stop = StopSignals.Listen(ShutdownSettings.FromConfig(config), StopExit.Clean);
        var web = WebSettings.FromConfig(config, bind, port);
        var plan = options.Cluster is { } cluster ? NodePlan.Member(cluster, web: true) : NodePlan.Embedded(web: true);
        var name = options.Cluster?.NodeName ?? Environment.MachineName;
        var management = plan.ServesManagement ? ManagementSettings.FromEnvironment(Environment.GetEnvironmentVariable, ManagementSettings.DefaultPort) : null;
        await using var runtime = await CofiRuntime.StartAsync(plan, config, settings, options.Database, plan.ServesWeb ? web : null, management, logFormat);
        stop.Stops(runtime);
        var system = runtime.System;
        var log = runtime.Log;
        var announcer = system.ActorOf(NodeAnnouncer.Props(name, log), "node-announcer");
        foreach (var topic in NodeAnnouncer.Topics) system.EventStream.Subscribe(announcer, topic);
        if (plan.Cluster is { } member)
        {
            var self = Akka.Cluster.Cluster.Get(system);
            self.RegisterOnMemberUp(() => log.Info(
                $"node {member.NodeName}: up at {self.SelfAddress} as {string.Join(",", member.Roles.Order())}" +
                (member.IsGpu ? $" with machines {string.Join(", ", member.Machines(settings.Simulated.GpuMachines))}" : "")));
        }
        else log.Info($"serve: single-node service on {options.Database.Description}, {settings.Simulated.GpuMachines} simulated GPU machines");
        if (!plan.ServesWeb && runtime.WebAddress is { } managed)
            log.Info($"node {name}: health, readiness and metrics at {managed}/health, /ready, /metrics");
        if (plan.ServesWeb && runtime.WebAddress is { } address)
        {
            log.Info($"node {name}: dashboard {address}/  api {address}/api  metrics {address}/metrics");
            if (web.InputRoots.Count == 0)
                log.Info($"node {name}: no input roots (cofi.web.input-roots, ${WebSettings.InputRootsVariable}): the API accepts no batch");
        }
        // An operator's drain, or the cluster downing this node, ends it without a signal.
        await Task.WhenAny(stop.FirstSignal, system.WhenTerminated);
        if (stop.Requested)
        {
            log.Info($"node {name}: {(plan.Cluster is null ? "stopping: no new work" : "draining, then leaving the cluster")}" +
                     $" (calls in flight get {StopSignals.Describe(stop.Grace)}; {stop.AgainHint} to stop at once)");
        }
        // Akka.Remote ends a node whose TLS handshake with a peer failed: the cluster's certificate is not this node's.
        var refused = CoordinatedShutdown.Get(system).ShutdownReason?.ExitCode == TlsRefusedExit;
        await runtime.StopAsync();
        if (refused)
        {
            log.Refusal($"node {name}: refused by the cluster: the TLS handshake failed (is {ClusterTls.PfxVariable} the cluster's certificate?)");
            return TlsRefusedExit;
        }
        log.Info(plan.Cluster is null ? $"node {name}: stopped" : $"node {name}: left the cluster");
        return stop.ExitCode;
    }
}
