using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

public static class NodeCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("node", "Join the cluster as a GPU node (or, with --roles coordinator, as serve does) until SIGTERM, which drains the node's work and leaves gracefully.");
        common.AddTo(command, simulation: true);
        command.Options.Add(common.Bind);
        command.Options.Add(common.Port);
        command.Options.Add(common.LogFormat);
        command.SetAction((result, _) => CommandHost.RunAsync(() =>
        {
            var options = common.Read(result);
            var environment = Environment.GetEnvironmentVariables();
            // A node is a GPU node unless its roles say otherwise.
            var roles = result.GetValue(common.Roles) ?? (environment["COFI_ROLES"] as string is { Length: > 0 } fromEnv ? fromEnv : NodeSettings.Gpu);
            var cluster = NodeSettings.FromEnvironment(environment, roles, result.GetValue(common.NodeName))!;
            // A GPU node is one machine unless told otherwise.
            options = options with { Cluster = cluster, Gpus = options.Gpus ?? 1 };
            return ServiceHost.RunAsync(options, result.GetValue(common.Bind), result.GetValue(common.Port), common.ReadLogFormat(result));
        }));
        return command;
    }
}
