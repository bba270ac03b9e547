using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using Cofi.Actors.Persistence;
using Cofi.Actors.Planning;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

/// <summary><c>plan</c>: predicts a batch's makespan, stage utilization, bottleneck and cost by running the dispatcher in simulated time.</summary>
public static class PlanCommand
{
    public static Command Create(CommonOptions common)
    {
        var files = new Option<int>("--files") { Description = "files in the batch to plan (default: the recorded batch's, else 10,000)" };
        var machines = new Option<int?>("--machines") { Description = "GPU machines (default: cofi.gpu.machines, else cofi.simulated.gpu-machines)" };
        var fromBatch = new Option<long?>("--from-batch") { Description = "take call times and the share of files each stage calls from this finished batch in --db" };
        var price = new Option<decimal>("--price") { Description = "price of one GPU-hour", DefaultValueFactory = _ => 0m };
        var command = new Command("plan",
            "Predict a batch's makespan, per-stage utilization, bottleneck, GPU-hours and cost, from the configuration's latencies or a finished batch's recorded calls.")
        {
            files, machines, fromBatch, price,
        };
        common.AddTo(command, simulation: false);
        command.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var options = common.Read(result);
            var (config, settings) = options.LoadConfiguration();
            var count = result.GetValue(files);
            if (count < 0) throw new InvalidConfigurationException("--files", "must be at least 1");
            var machineCount = result.GetValue(machines) ?? (settings.Gpu.Machines.Count > 0 ? settings.Gpu.Machines.Count : settings.Simulated.GpuMachines);
            if (machineCount < 1) throw new InvalidConfigurationException("--machines", "must be at least 1");
            if (result.GetValue(price) < 0) throw new InvalidConfigurationException("--price", "must not be negative");
            IReadOnlyList<StageProfile> profiles;
            string basis;
            if (result.GetValue(fromBatch) is { } batchId)
            {
                if (options.Database.SqliteFile is { } file && !File.Exists(file))
                {
                    await Console.Error.WriteLineAsync($"cofi: no database at {file}: no batch {batchId}");
                    return BatchRunner.NotFound;
                }
                await using var runtime = await CofiRuntime.StartAsync(NodePlan.Reader(), config, settings, options.Database);
                if (await RecordedProfiles.ReadAsync(new JournalReader(runtime.System), settings.Pipeline, batchId) is not { } recorded)
                {
                    await Console.Error.WriteLineAsync($"cofi: no batch {batchId} in {options.Database.SqliteFile ?? "the database"}");
                    return BatchRunner.NotFound;
                }
                profiles = recorded.Stages;
                count = count > 0 ? count : recorded.Files;
                basis = $"batch {batchId}'s {recorded.Files:N0} recorded files";
            }
            else
            {
                profiles = StageProfiles.FromConfiguration(settings.Pipeline);
                basis = "the configuration's simulated latencies (every file called at every stage)";
            }
            var input = new PlanInput(count > 0 ? count : 10_000, machineCount, settings.Pipeline.Mode, profiles, result.GetValue(price));
            Console.Write(PlanReport.Write(input, CapacityPlanner.Predict(input), basis));
            return 0;
        }));
        return command;
    }
}
