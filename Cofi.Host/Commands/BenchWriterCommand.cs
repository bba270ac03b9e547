using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Host.Benchmarks;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

/// <summary>
/// The read-model writer's benchmark: a zero-latency demo batch on the embedded SQLite database, the EventWriter alone
/// rebuilding that read model from the journal, and the raw insert rate of the same table on the same disk; prints
/// elapsed, file-stages per second, peak RSS, the EventWriter's rate against the raw one, and its stage pauses.
/// </summary>
public static class BenchWriterCommand
{
    public static Command Create(CommonOptions common)
    {
        var files = new Option<int>("--files") { Description = "files in the batch", DefaultValueFactory = _ => 10_000 };
        var command = new Command("bench-writer", "Benchmark the read model's writer: a zero-latency batch on SQLite against the raw insert rate of the same table.") { files };
        command.Options.Add(common.Config);
        command.Options.Add(common.Gpus);
        command.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var count = result.GetValue(files);
            if (count < 1) throw new InvalidConfigurationException("--files", $"must be at least 1 (got {count})");
            var workDir = Directory.CreateTempSubdirectory("cofi-bench-writer-").FullName;
            try
            {
                var options = new RuntimeOptions(Path.Combine(workDir, "cofi.db"), result.GetValue(common.Config), result.GetValue(common.Gpus), LatencyMs: 0, CallLog: null);
                var (config, settings) = options.LoadConfiguration();
                WriterBenchmark.Print(await WriterBenchmark.RunAsync(config, settings, count, workDir));
                return 0;
            }
            finally
            {
                Directory.Delete(workDir, recursive: true);
            }
        }));
        return command;
    }
}
