using Cofi.Actors.Hosting;
using System.CommandLine;
using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

/// <summary>
/// add-machine: gives a running cluster a GPU machine that is only an HTTP endpoint. Joins the cluster named by
/// $CLUSTER_SEEDS as a member with no role, tells the coordinator's BatchManager (which records the machine and
/// gives every running batch a GpuWorker for it), prints the answer and leaves.
/// </summary>
public static class AddMachineCommand
{
    public const int Rejected = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static Command Create(CommonOptions common)
    {
        var host = new Argument<string>("host") { Description = "host name or address of the GPU machine; its model services listen on each stage's http.port" };
        var command = new Command("add-machine",
            "Add a GPU machine that is only an HTTP endpoint to the running cluster ($CLUSTER_SEEDS): every running and later batch sends it work.") { host };
        command.Options.Add(common.Config);
        command.SetAction((result, cancel) => CommandHost.RunAsync(async () =>
        {
            var joined = NodeSettings.FromEnvironment(Environment.GetEnvironmentVariables(), NodeSettings.Coordinator, "add-machine")!;
            if (joined.Seeds.Count == 0)
                throw new InvalidConfigurationException("CLUSTER_SEEDS", "must name the running cluster's seed nodes: add-machine tells its coordinator");
            var options = new RuntimeOptions(RuntimeOptions.DefaultDatabasePath, result.GetValue(common.Config), null, null, null,
                joined with { Roles = new HashSet<string>(), Port = 0 });
            var (config, settings) = options.LoadConfiguration();
            await using var runtime = await CofiRuntime.StartAsync(NodePlan.Client(options.Cluster!), config, settings, options.Database);
            var up = new TaskCompletionSource();
            Akka.Cluster.Cluster.Get(runtime.System).RegisterOnMemberUp(() => up.TrySetResult());
            await up.Task.WaitAsync(Patience, cancel);

            var machine = result.GetValue(host)!;
            var answer = await runtime.BatchManager.Ask<object>(new BatchCommands.AddMachine(machine), Patience, cancel);
            await Akka.Cluster.Cluster.Get(runtime.System).LeaveAsync(cancel);
            switch (answer)
            {
                case MachineAccepted accepted:
                    Console.WriteLine($"added GPU machine {accepted.Machine}: {accepted.RunningBatches} running batch(es) send it work now");
                    return 0;
                case MachineRejected rejected:
                    await Console.Error.WriteLineAsync($"cofi: GPU machine {rejected.Machine} not added: {rejected.Reason}");
                    return Rejected;
                default:
                    throw new InvalidOperationException($"unexpected answer from the coordinator: {answer}");
            }
        }));
        return command;
    }
}
