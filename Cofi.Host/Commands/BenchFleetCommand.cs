using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Host.Benchmarks;

namespace Cofi.Host.Commands;

/// <summary><c>bench-fleet</c>: the scheduler's makespan against the fleet's capacity, and the slow tail with and without speculation.</summary>
public static class BenchFleetCommand
{
    public static Command Create()
    {
        var files = new Option<int>("--files") { Description = "files in each batch", DefaultValueFactory = _ => 500 };
        var command = new Command("bench-fleet",
            "Benchmark the scheduler: makespan ÷ ideal on 1, 2 and 4 simulated machines, and 1 % of calls 20× slower without and with speculative attempts.") { files };
        command.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var count = result.GetValue(files);
            if (count < 1) throw new InvalidConfigurationException("--files", $"must be at least 1 (got {count})");
            var workDir = Directory.CreateTempSubdirectory("cofi-bench-fleet-").FullName;
            try
            {
                var runs = new List<FleetBenchmark.Run>();
                foreach (var (name, machines, hocon) in FleetBenchmark.Scenarios())
                {
                    Console.Error.WriteLine($"bench-fleet: {name} …");
                    runs.Add(await FleetBenchmark.RunAsync(name, machines, hocon, count, workDir));
                }
                FleetBenchmark.Print(count, runs);
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
