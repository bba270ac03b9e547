using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

/// <summary>
/// serve: the standing coordinator. With $CLUSTER_SEEDS it joins the cluster with the role coordinator (the active
/// BatchManager or a standby); without, it is a single-node service with simulated GPU machines. Either way it serves
/// the dashboard, REST API, SSE, OpenAPI, health, readiness and metrics until SIGTERM.
/// </summary>
public static class ServeCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("serve",
            "Run the standing coordinator: batches are submitted over its API (dashboard, REST, SSE, /metrics); joins the cluster at $CLUSTER_SEEDS, else runs alone with simulated GPU machines.");
        common.AddTo(command, simulation: true);
        command.Options.Add(common.Bind);
        command.Options.Add(common.Port);
        command.Options.Add(common.LogFormat);
        command.SetAction((result, _) => CommandHost.RunAsync(() =>
        {
            var environment = Environment.GetEnvironmentVariables();
            var seeded = environment["CLUSTER_SEEDS"] is string seeds && seeds.Trim().Length > 0;
            var roles = result.GetValue(common.Roles) ?? (environment["COFI_ROLES"] as string is { Length: > 0 } fromEnv ? fromEnv : NodeSettings.Coordinator);
            // Without seeds, the single-node service: every role in this process, its own simulated GPU machines.
            var cluster = seeded ? NodeSettings.FromEnvironment(environment, roles, result.GetValue(common.NodeName)) : null;
            var options = common.Read(result) with { Cluster = cluster };
            return ServiceHost.RunAsync(options, result.GetValue(common.Bind), result.GetValue(common.Port), common.ReadLogFormat(result));
        }));
        return command;
    }
}
