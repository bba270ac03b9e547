using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using Cofi.Host.Web;

namespace Cofi.Host.Runtime;

/// <summary>
/// A standing node (serve, node): starts the runtime its plan asks for, says where it serves, and runs until SIGTERM
/// or Ctrl+C (<see cref="StopSignals"/>): no new work, the calls in flight finish within <c>cofi.shutdown.grace</c>
/// and are recorded, the node leaves the cluster gracefully and exits 0. A second signal stops it at once.
/// </summary>
public static class ServiceHost
{
    /// <param name="bind">--bind, over cofi.web.bind and its variable (a coordinator's web server).</param>
    /// <param name="port">--port, likewise.</param>
    public static async Task<int> RunAsync(RuntimeOptions options, string? bind, int? port)
    {
        var (config, settings) = options.LoadConfiguration();
        using var stop = StopSignals.Listen(ShutdownSettings.FromConfig(config), StopExit.Clean);
        var web = WebSettings.FromConfig(config, bind, port);
        var plan = options.Cluster is { } cluster ? NodePlan.Member(cluster, web: true) : NodePlan.Embedded(web: true);
        var name = options.Cluster?.NodeName ?? Environment.MachineName;
        await using var runtime = await CofiRuntime.StartAsync(plan, config, settings, options.Database, plan.ServesWeb ? web : null);
        stop.Stops(runtime);
        var system = runtime.System;
        var announcer = system.ActorOf(NodeAnnouncer.Props(name), "node-announcer");
        foreach (var topic in NodeAnnouncer.Topics) system.EventStream.Subscribe(announcer, topic);
        if (plan.Cluster is { } member)
        {
            var self = Akka.Cluster.Cluster.Get(system);
            self.RegisterOnMemberUp(() => Console.WriteLine(
                $"node {member.NodeName}: up at {self.SelfAddress} as {string.Join(",", member.Roles.Order())}" +
                (member.IsGpu ? $" with machines {string.Join(", ", member.Machines(settings.Simulated.GpuMachines))}" : "")));
        }
        else Console.WriteLine($"serve: single-node service on {options.Database.Description}, {settings.Simulated.GpuMachines} simulated GPU machines");
        if (runtime.WebAddress is { } address)
        {
            Console.WriteLine($"node {name}: dashboard {address}/  api {address}/api  metrics {address}/metrics");
            if (web.InputRoots.Count == 0)
                Console.WriteLine($"node {name}: no input roots (cofi.web.input-roots, ${WebSettings.InputRootsVariable}): the API accepts no batch");
        }
        // An operator's drain, or the cluster downing this node, ends it without a signal.
        await Task.WhenAny(stop.FirstSignal, system.WhenTerminated);
        if (stop.Requested)
        {
            Console.WriteLine($"node {name}: {(plan.Cluster is null ? "stopping: no new work" : "draining, then leaving the cluster")}" +
                              $" (calls in flight get {StopSignals.Describe(stop.Grace)}; {stop.AgainHint} to stop at once)");
        }
        await runtime.StopAsync();
        Console.WriteLine(plan.Cluster is null ? $"node {name}: stopped" : $"node {name}: left the cluster");
        return stop.ExitCode;
    }
}
