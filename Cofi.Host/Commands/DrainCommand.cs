using System.CommandLine;
using Akka.Actor;
using Akka.Configuration;
using Cofi.Actors.Configuration;
using Cofi.Actors.Operations;
using Cofi.Host.Operations;

namespace Cofi.Host.Commands;

/// <summary>
/// <c>drain NODE</c>: the GPU node of that name takes no new work, finishes what it has, and leaves the cluster.
/// The command line does not join the cluster; it talks to one Cofi node over remoting.
/// </summary>
public static class DrainCommand
{
    public static Command Create(CommonOptions common)
    {
        var node = new Argument<string>("node") { Description = "name of the GPU node to drain (its --name or COFI_NODE_NAME)" };
        var via = new Option<string[]>("--via")
        {
            Description = "address of a Cofi node to ask, e.g. akka.tcp://cofi@10.0.0.5:4053 (default: the addresses in $CLUSTER_SEEDS that are Cofi nodes)",
            AllowMultipleArgumentsPerToken = true,
        };
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for the node to finish its work and leave", DefaultValueFactory = _ => 600 };
        var command = new Command("drain", "Drain a GPU node: it takes no new work, finishes what it has in flight, then leaves the cluster.") { node, via, timeout };
        command.Options.Add(common.Config);
        command.SetAction((result, cancel) => CommandHost.RunAsync(async () =>
        {
            var contacts = result.GetValue(via) is { Length: > 0 } given ? given : Seeds();
            if (contacts.Length == 0)
                throw new InvalidConfigurationException("--via", "no Cofi node to ask: give --via with a node's address, or set CLUSTER_SEEDS");
            // The address the asked node replies to: CLUSTER_IP, or in a container the one its host name resolves to.
            var ip = NodeSettings.FromEnvironment(Environment.GetEnvironmentVariables())?.Ip ?? "127.0.0.1";
            var config = ConfigurationFactory.ParseString($$"""
                akka.actor.provider = remote
                akka.remote.dot-netty.tcp { hostname = "{{ip}}", port = 0 }
                akka.loglevel = ERROR
                akka.stdout-loglevel = ERROR
                """).WithFallback(CofiConfig.Load(result.GetValue(common.Config)));
            using var system = ActorSystem.Create("cofi-cli", config);
            try
            {
                var admin = await FindAdminAsync(system, contacts);
                var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                system.ActorOf(DrainClient.Props(admin, result.GetValue(node)!, done), "drain");
                var finished = await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(result.GetValue(timeout)), cancel));
                if (finished == done.Task) return await done.Task;
                await Console.Error.WriteLineAsync($"cofi: node {result.GetValue(node)} did not leave within {result.GetValue(timeout)} s");
                return CommandHost.UnexpectedError;
            }
            finally
            {
                await system.Terminate();
            }
        }));
        return command;
    }

    private static string[] Seeds() =>
        (Environment.GetEnvironmentVariable("CLUSTER_SEEDS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The first contact that runs a ClusterAdmin (a lighthouse, for one, does not).</summary>
    private static async Task<IActorRef> FindAdminAsync(ActorSystem system, IReadOnlyList<string> contacts)
    {
        foreach (var contact in contacts)
        {
            try
            {
                return await system.ActorSelection($"{contact.TrimEnd('/')}/user/{ClusterAdmin.Name}").ResolveOne(TimeSpan.FromSeconds(5));
            }
            catch (ActorNotFoundException)
            {
            }
        }
        throw new ClusterUnreachableException($"no Cofi node answered at {string.Join(", ", contacts)}: give --via with the address of a coordinator or GPU node");
    }
}

public sealed class ClusterUnreachableException(string message) : Exception(message);
