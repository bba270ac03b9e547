using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Host.Benchmarks;

namespace Cofi.Host.Commands;

/// <summary><c>db prune --older-than 90d</c>: retention (<see cref="DbPruneCommand"/>); <c>db bench</c>: what a batch costs the database.</summary>
public static class DbCommand
{
    public static Command Create(CommonOptions common) =>
        new("db", "Maintain and measure the database.") { DbPruneCommand.Create(common), Bench(common) };

    private static Command Bench(CommonOptions common)
    {
        var files = new Option<int>("--files") { Description = "number of sample files in the batch", DefaultValueFactory = _ => 10_000 };
        var command = new Command("bench", "Run one batch on zero-latency simulated GPUs against a MySQL / MariaDB database and print what it cost the database "
            + "(use a server of its own: the statement counters are server-wide; scripts/bench-db starts one).") { files };
        command.Options.Add(common.Database);
        command.Options.Add(common.Config);
        command.Options.Add(common.Gpus);
        command.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var count = result.GetValue(files);
            if (count < 1) throw new InvalidConfigurationException("--files", $"must be at least 1 (got {count})");
            var options = common.Read(result) with { LatencyMs = 0 };
            var (config, settings) = options.LoadConfiguration();
            var workDir = Path.Combine(Path.GetTempPath(), $"cofi-db-bench-{Environment.ProcessId}");
            try
            {
                DatabaseBenchmark.Print(await DatabaseBenchmark.RunAsync(config, settings, options.Database, count, workDir));
                return 0;
            }
            finally
            {
                if (Directory.Exists(workDir)) Directory.Delete(workDir, recursive: true);
            }
        }));
        return command;
    }
}
