using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Cluster;

/// <summary>A real Prometheus scrapes a Lighthouse, a serve coordinator and a GPU node while a batch runs on them.</summary>
public sealed class MetricsScrapeSpecs
{
    private const int Files = 300;
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];

    [Fact]
    public async Task Should_let_Prometheus_scrape_every_node_and_count_the_file_stages_the_journal_recorded()
    {
        using var dir = new TempDirectory("cofi-metrics");
        await using var rig = new ClusterRig(dir, Files);
        await rig.LighthouseUpAsync();
        var environment = new Dictionary<string, string>
        {
            ["ACTORSYSTEM"] = "cofi",
            ["CLUSTER_SEEDS"] = $"akka.tcp://cofi@127.0.0.1:{rig.LighthousePort}",
            ["COFI_INPUT_ROOTS"] = dir.Path,
        };
        using var coordinator = CofiProcess.StartDll(CofiProcess.HostDll, environment, "serve", "--name", "coord", "--db", rig.Database, "--latency", "0");
        var gpu = await rig.StartGpuNodeUpAsync("gpu-a", 1);
        var web = await AddressAsync(coordinator, @"dashboard (http://\S+?)/ ");
        var gpuManagement = await AddressAsync(gpu, @"health, readiness and metrics at (http://\S+?)/health");
        var lighthouseManagement = await AddressAsync(rig.Lighthouse, @"management at (http://\S+)");

        await using var prometheus = await PrometheusServer.StartAsync(
            new PrometheusServer.ScrapeJob("lighthouse", [Authority(lighthouseManagement)]),
            new PrometheusServer.ScrapeJob("coordinator", [Authority(web)]),
            new PrometheusServer.ScrapeJob("gpu", [Authority(gpuManagement)]));
        await prometheus.UntilAsync("up", up => up.Count == 3 && up.All(s => s.Value == 1));
        // Every node sees the whole membership: a lighthouse, a coordinator and a GPU node.
        await prometheus.UntilAsync("sum by (job) (cofi_cluster_members)", members => members.Count == 3 && members.All(m => m.Value == 3));

        using var client = new HttpClient { BaseAddress = new Uri(web) };
        var submitted = await client.PostAsJsonAsync("/api/batches", new { input = rig.Input });
        submitted.StatusCode.ShouldBe(HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
        // While the batch runs, the GPU node reports its machine's slots.
        await prometheus.UntilAsync("""cofi_machine_slots_total{job="gpu",machine="gpu-a"}""", slots => slots.Count > 0 && slots.All(s => s.Value == 2));
        await Poll.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/batches/1")).GetProperty("batch").GetProperty("status").GetString(),
            status => status == "completed", "batch 1 completed", TimeSpan.FromMinutes(3));

        var recorded = 0;
        await using (var reader = await PipelineHost.StartAsync(DatabaseSettings.Parse(rig.Database), runBatches: false))
            foreach (var stage in Stages) recorded += (await reader.Journal().RecordedAsync(1, stage)).Count;
        recorded.ShouldBe(Files * Stages.Length);
        var settled = await prometheus.UntilAsync("""sum(cofi_file_stages_settled_total{job="coordinator",batch="1"})""",
            sum => sum.Count == 1 && sum[0].Value == recorded);
        settled[0].Value.ShouldBe(recorded);
        var calls = await prometheus.UntilAsync("""sum(cofi_call_duration_seconds_count{job="coordinator",machine="gpu-a"})""", c => c.Count == 1 && c[0].Value > 0);
        calls[0].Value.ShouldBe(rig.Calls("gpu-a").Count, "every call the GPU node made is timed once");
    }

    private static async Task<string> AddressAsync(CofiProcess process, string pattern)
    {
        var regex = new Regex(pattern);
        await ClusterRig.Until(() => regex.IsMatch(process.Stdout), $"a line matching {pattern}", process);
        return regex.Match(process.Stdout).Groups[1].Value.TrimEnd('/');
    }

    private static string Authority(string url) => new Uri(url).Authority;
}
