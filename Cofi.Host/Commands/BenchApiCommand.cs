using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Host.Benchmarks;

namespace Cofi.Host.Commands;

/// <summary>bench-api: requests a second with authentication off and on, alternating, several runs each; prints each run and the medians.</summary>
public static class BenchApiCommand
{
    public static Command Create()
    {
        var requests = new Option<int>("--requests") { Description = "requests per run", DefaultValueFactory = _ => 20_000 };
        var clients = new Option<int>("--clients") { Description = "concurrent HTTP clients", DefaultValueFactory = _ => 16 };
        var runs = new Option<int>("--runs") { Description = "runs with authentication off and on each", DefaultValueFactory = _ => 3 };
        var tokens = new Option<int>("--tokens") { Description = "tokens configured when authentication is on", DefaultValueFactory = _ => 100 };
        var path = new Option<string>("--path") { Description = "the endpoint asked", DefaultValueFactory = _ => "/api/pipeline" };
        var command = new Command("bench-api", "Benchmark the API's requests per second with authentication off and on.") { requests, clients, runs, tokens, path };
        command.SetAction((result, cancel) => CommandHost.RunAsync(async () =>
        {
            var (count, concurrency, times, tokenCount) = (result.GetValue(requests), result.GetValue(clients), result.GetValue(runs), result.GetValue(tokens));
            if (count < 1) throw new InvalidConfigurationException("--requests", $"must be at least 1 (got {count})");
            if (concurrency < 1) throw new InvalidConfigurationException("--clients", $"must be at least 1 (got {concurrency})");
            if (times < 1) throw new InvalidConfigurationException("--runs", $"must be at least 1 (got {times})");
            if (tokenCount < 1) throw new InvalidConfigurationException("--tokens", $"must be at least 1 (got {tokenCount})");
            var workDir = Directory.CreateTempSubdirectory("cofi-bench-api-").FullName;
            try
            {
                Console.WriteLine($"bench-api: GET {result.GetValue(path)}, {count:N0} requests a run from {concurrency} clients, {times} runs each; " +
                    $"authentication on: {tokenCount} tokens configured, a viewer's bearer token on every request");
                var results = new List<ApiBenchmark.Result>();
                for (var run = 0; run < times; run++)
                    foreach (var authenticated in new[] { false, true })
                    {
                        var one = await ApiBenchmark.RunAsync(workDir, authenticated, result.GetValue(path)!, count, concurrency, tokenCount, cancel);
                        results.Add(one);
                        Console.WriteLine($"authentication {one.Mode}: {one.PerSecond:N0} requests/s ({one.Elapsed.TotalSeconds:N2} s, {one.Failed} failed)");
                    }
                double Median(string mode) => results.Where(r => r.Mode == mode).Select(r => r.PerSecond).Order().ElementAt(times / 2);
                var (off, on) = (Median("off"), Median("on"));
                Console.WriteLine($"median: off {off:N0} requests/s, on {on:N0} requests/s ({(on - off) / off:P1})");
                return results.Any(r => r.Failed > 0) ? 1 : 0;
            }
            finally
            {
                Directory.Delete(workDir, recursive: true);
            }
        }));
        return command;
    }
}
