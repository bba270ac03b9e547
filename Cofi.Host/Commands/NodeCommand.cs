using Cofi.Actors.Hosting;
using System.CommandLine;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Cluster;
using Cofi.Actors.Configuration;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

public static class NodeCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("node", "Join the cluster as a GPU node (or a standby coordinator) and serve until SIGTERM, which drains the node's work and leaves gracefully.");
        common.AddTo(command, simulation: true);
        command.SetAction((result, cancel) => CommandHost.RunAsync(async () =>
        {
            var options = common.Read(result);
            var environment = Environment.GetEnvironmentVariables();
            // A node is a GPU node unless its roles say otherwise.
            var roles = result.GetValue(common.Roles) ?? (environment["COFI_ROLES"] as string is { Length: > 0 } fromEnv ? fromEnv : NodeSettings.Gpu);
            var cluster = NodeSettings.FromEnvironment(environment, roles, result.GetValue(common.NodeName))!;
            // A GPU node is one machine unless told otherwise.
            options = options with { Cluster = cluster, Gpus = options.Gpus ?? 1 };
            var (config, settings) = options.LoadConfiguration();
            await using var runtime = await CofiRuntime.StartAsync(NodePlan.Member(cluster, web: false), config, settings, options.Database);
            var system = runtime.System;
            var announcer = system.ActorOf(NodeAnnouncer.Props(cluster.NodeName), "node-announcer");
            foreach (var topic in NodeAnnouncer.Topics) system.EventStream.Subscribe(announcer, topic);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Leave);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Leave);
            var self = Akka.Cluster.Cluster.Get(system);
            self.RegisterOnMemberUp(() => Console.WriteLine(
                $"node {cluster.NodeName}: up at {self.SelfAddress} as {string.Join(",", cluster.Roles.Order())}" +
                (cluster.IsGpu ? $" with machines {string.Join(", ", cluster.Machines(settings.Simulated.GpuMachines))}" : "")));
            await system.WhenTerminated;
            Console.WriteLine($"node {cluster.NodeName}: left the cluster");
            return 0;

            void Leave(PosixSignalContext context)
            {
                context.Cancel = true;
                Console.WriteLine($"node {cluster.NodeName}: draining, then leaving the cluster");
                _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
            }
        }));
        return command;
    }
}
