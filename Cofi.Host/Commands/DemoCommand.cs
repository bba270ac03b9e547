using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using System.CommandLine;
using Cofi.Actors.Inputs;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

public static class DemoCommand
{
    public static Command Create(CommonOptions common)
    {
        var files = new Option<int>("--files") { Description = "number of sample WAV files to generate", DefaultValueFactory = _ => 500 };
        var corrupt = new Option<int?>("--corrupt") { Description = "how many of them are deliberately corrupt (default: 1 in 200, at least 3)" };
        var keep = new Option<bool>("--keep") { Description = "keep the generated files and database instead of deleting them" };
        var database = new Option<string?>("--db") { Description = "SQLite database file or MySQL connection string (default: a fresh SQLite file beside the generated files)" };
        var command = new Command("demo", "Generate a sample batch and run it through every stage on simulated GPUs.") { files, corrupt, keep, database };
        command.Options.Add(common.Config);
        command.Options.Add(common.Gpus);
        command.Options.Add(common.Latency);
        command.Options.Add(common.CallLog);
        common.AddWebTo(command);
        command.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var count = result.GetValue(files);
            if (count < 1) throw new Actors.Configuration.InvalidConfigurationException("--files", $"must be at least 1 (got {count})");
            var bad = result.GetValue(corrupt) ?? Math.Min(count, Math.Max(3, count / 200));
            var workDir = Path.Combine(Path.GetTempPath(), $"cofi-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
            var inputDir = Path.Combine(workDir, "input");
            var options = common.Read(result) with { DatabasePath = result.GetValue(database) ?? Path.Combine(workDir, "cofi-demo.db") };
            var (config, settings) = options.LoadConfiguration();
            using var stop = StopSignals.Listen(ShutdownSettings.FromConfig(config), StopExit.Interrupted);
            try
            {
                SampleBatch.Generate(inputDir, count, Math.Min(bad, count));
                Console.WriteLine($"demo: {count:N0} sample files ({bad} deliberately corrupt) in {inputDir}");
                Console.WriteLine($"demo: {settings.Simulated.GpuMachines} simulated GPU machines, {settings.Pipeline.Mode.ToString().ToLowerInvariant()} mode, database {options.Database.Description}");
                await using var runtime = await CofiRuntime.StartAsync(NodePlan.Embedded(web: true), config, settings, options.Database, common.ReadWeb(result, config, workDir));
                stop.Stops(runtime);
                return await BatchRunner.RunAsync(runtime, inputDir, result.GetValue(common.Serve), stop);
            }
            finally
            {
                if (!result.GetValue(keep)) TryDelete(workDir);
                else Console.WriteLine($"demo: kept {workDir}");
            }
        }));
        return command;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
