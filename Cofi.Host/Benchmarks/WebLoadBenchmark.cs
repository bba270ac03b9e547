using Cofi.Actors.Hosting;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.Progress;
using Cofi.Host.Runtime;
using Cofi.Host.Web;

namespace Cofi.Host.Benchmarks;

/// <summary>
/// A batch run with N dashboard viewers on the SSE stream: how late frames reach them, and how many database
/// commands the process sends. Each run has its own fresh SQLite database.
/// </summary>
public static class WebLoadBenchmark
{
    public sealed record Result(int Viewers, TimeSpan Elapsed, long Frames, long FramesDropped, long FilesObserved,
        double P50Ms, double P95Ms, double P99Ms, double MaxMs, long Commands, long Selects);

    public static async Task<Result> RunAsync(string workDir, string input, int files, int viewers, int? latencyMs, DatabaseCommandCounter counter, CancellationToken cancel)
    {
        var database = Path.Combine(workDir, $"bench-{viewers}-viewers.db");
        var (config, settings) = new RuntimeOptions(database, null, null, latencyMs, null).LoadConfiguration();
        // Every viewer comes from 127.0.0.1: one address's rate limit would throttle the benchmark itself.
        var open = Management.Security.AccessSettings.Open with { Limits = Management.Security.ApiLimits.Default with { RequestsPerSecond = 0 } };
        var web = new WebSettings(IPAddress.Loopback, 0, [input], open);
        await using var runtime = await CofiRuntime.StartAsync(NodePlan.Embedded(web: true), config, settings, DatabaseSettings.Sqlite(database), web);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = viewers + 4 })
        {
            BaseAddress = new Uri(runtime.WebAddress!),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var lastStage = settings.Pipeline.Stages[^1].Name;
        var clients = Enumerable.Range(0, viewers).Select(_ => new SseViewer(http) { LastStage = lastStage }).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var reading = clients.Select(c => Task.Run(() => c.ReadAsync(files, stop.Token), stop.Token)).ToList();
        await Task.WhenAll(clients.Select(c => c.Snapshot)).WaitAsync(TimeSpan.FromMinutes(2), cancel);

        var (commandsBefore, selectsBefore) = counter.Read();
        var clock = Stopwatch.StartNew();
        var submitted = await http.PostAsJsonAsync("/api/batches", new { input }, cancel);
        submitted.EnsureSuccessStatusCode();
        var batchId = (await submitted.Content.ReadFromJsonAsync<BatchApi.SubmitResponse>(cancel))!.BatchId;
        await runtime.BatchManager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(batchId), cancel);
        await Task.WhenAll(reading).WaitAsync(TimeSpan.FromMinutes(2), cancel);
        var elapsed = clock.Elapsed;
        var (commandsAfter, selectsAfter) = counter.Read();

        var figures = await ActorRegistry.For(runtime.System).Get<ProgressBroadcaster>()
            .Ask<ProgressFigures>(ProgressQueries.GetFigures.Instance, TimeSpan.FromSeconds(10), cancel);
        var delays = clients.SelectMany(c => c.Delays).OrderBy(d => d.DelayMs).ToList();
        var observed = delays.Sum(d => (long)d.Files);
        double Percentile(double p)
        {
            if (observed == 0) return 0;
            var rank = (long)Math.Ceiling(p * observed);
            long seen = 0;
            foreach (var (delay, count) in delays)
            {
                seen += count;
                if (seen >= rank) return delay;
            }
            return delays[^1].DelayMs;
        }
        return new Result(viewers, elapsed, clients.Sum(c => c.Frames), figures.FramesDropped, observed,
            Percentile(0.50), Percentile(0.95), Percentile(0.99), delays.Count == 0 ? 0 : delays[^1].DelayMs,
            commandsAfter - commandsBefore, selectsAfter - selectsBefore);
    }

    public static void Generate(string input, int files) => SampleBatch.Generate(input, files, Math.Max(3, files / 200));
}
