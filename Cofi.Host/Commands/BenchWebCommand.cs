using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Host.Benchmarks;

namespace Cofi.Host.Commands;

/// <summary>
/// The dashboard load benchmark: the same batch twice, first with no viewer, then with N viewers on the SSE stream;
/// prints how late frames reached the viewers and how many database commands each run sent.
/// </summary>
public static class BenchWebCommand
{
    public static Command Create()
    {
        var files = new Option<int>("--files") { Description = "files in the batch", DefaultValueFactory = _ => 10_000 };
        var viewers = new Option<int>("--viewers") { Description = "concurrent SSE clients", DefaultValueFactory = _ => 200 };
        var latency = DurationOption.Milliseconds("--latency", "simulated latency of every model stage, e.g. 20ms; a bare number is milliseconds (default: the configured one)");
        var command = new Command("bench-web", "Benchmark the live dashboard: frame delay and database commands with many SSE viewers.") { files, viewers, latency };
        command.SetAction((result, cancel) => CommandHost.RunAsync(async () =>
        {
            var count = result.GetValue(files);
            var clients = result.GetValue(viewers);
            if (count < 1) throw new InvalidConfigurationException("--files", $"must be at least 1 (got {count})");
            if (clients < 1) throw new InvalidConfigurationException("--viewers", $"must be at least 1 (got {clients})");
            var workDir = Directory.CreateTempSubdirectory("cofi-bench-web-").FullName;
            try
            {
                var input = Path.Combine(workDir, "input");
                WebLoadBenchmark.Generate(input, count);
                using var counter = new DatabaseCommandCounter();
                Console.WriteLine($"bench-web: {count:N0} files, baseline run without viewers, then {clients} viewers on /api/stream");
                var baseline = await WebLoadBenchmark.RunAsync(workDir, input, count, 0, result.GetValue(latency), counter, cancel);
                var watched = await WebLoadBenchmark.RunAsync(workDir, input, count, clients, result.GetValue(latency), counter, cancel);
                foreach (var run in new[] { baseline, watched })
                    Console.WriteLine($"viewers {run.Viewers}: batch {run.Elapsed.TotalSeconds:N1} s, database commands {run.Commands:N0} of which SELECT {run.Selects:N0}");
                Console.WriteLine($"frames received {watched.Frames:N0} ({watched.Frames / Math.Max(1, clients):N0} per viewer), dropped for slow viewers {watched.FramesDropped:N0}");
                Console.WriteLine($"delay from a file's recorded progress to its frame at the viewer, over {watched.FilesObserved:N0} file-stages seen: " +
                    $"p50 {watched.P50Ms:N0} ms, p95 {watched.P95Ms:N0} ms, p99 {watched.P99Ms:N0} ms, max {watched.MaxMs:N0} ms");
                // Both runs read the journal at start (recovery, sequence numbers); those reads vary a little from run to run.
                var extra = watched.Selects - baseline.Selects;
                Console.WriteLine($"database queries caused by viewers: {(extra > 0 ? $"at most {extra:N0}" : "none")} " +
                    $"(SELECTs: {watched.Selects:N0} with {clients} viewers, {baseline.Selects:N0} without)");
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
