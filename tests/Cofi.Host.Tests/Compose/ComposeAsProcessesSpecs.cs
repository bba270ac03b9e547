using System.Diagnostics;
using System.Text.RegularExpressions;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;
using Xunit.Abstractions;

namespace Cofi.Host.Tests.Compose;

/// <summary>
/// The compose topology run as local processes (same programs, commands and environment; see <see cref="LocalCompose"/>),
/// on MariaDB: a renamed variable or command in docker-compose.yml breaks this test.
/// </summary>
public sealed class ComposeAsProcessesSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];
    private const int Files = 200;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_run_a_batch_submitted_with_docker_compose_run_through_the_services_of_docker_compose_up()
    {
        using var database = new MySqlTestDatabase();
        var compose = await ComposeFile.LoadAsync(new Dictionary<string, string> { ["COFI_LATENCY_MS"] = "5" });
        await using var cluster = new LocalCompose(compose, database.ConnectionString, _dir.Path);
        try
        {
            await RunBatchAsync(cluster, database);
        }
        finally
        {
            output.WriteLine(cluster.Logs());
        }
    }

    private async Task RunBatchAsync(LocalCompose cluster, MySqlTestDatabase database)
    {
        var clock = Stopwatch.StartNew();
        await cluster.UpAsync();
        output.WriteLine($"up: {clock.Elapsed.TotalSeconds:0.0} s");

        // The README's two steps: sample files into the batches volume, then the batch.
        var samples = cluster.Run("submit", "samples", "--output", "/batches/input", "--files", Files.ToString());
        (await samples.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, samples.Stderr);
        var submit = cluster.Run("submit");
        var code = await submit.WaitForExitAsync(ClusterRig.Patience);
        output.WriteLine($"batch done: {clock.Elapsed.TotalSeconds:0.0} s");

        code.ShouldBe(0, submit.Stdout + submit.Stderr);
        submit.Stdout.ShouldContain("batch 1: completed");
        var gpuNodes = cluster.HostNames("gpu");
        gpuNodes.Count.ShouldBe(3);
        await using var reader = await PipelineHost.StartAsync(DatabaseSettings.MySql(database.ConnectionString), runBatches: false);
        var gpuStages = reader.Settings.Pipeline.GpuStages.Select(s => s.Name).ToHashSet();
        var machines = new HashSet<string>();
        foreach (var stage in Stages)
        {
            var recorded = await reader.Journal().RecordedAsync(1, stage);
            recorded.Count.ShouldBe(Files, $"{stage} settles every file");
            recorded.Select(r => r.FileId).ShouldBeUnique($"{stage} recorded a file twice");
            if (!gpuStages.Contains(stage)) continue;
            foreach (var record in recorded.Where(r => r.Machine is not null))
            {
                gpuNodes.ShouldContain(record.Machine!, $"{stage} ran on a machine that is no gpu container");
                machines.Add(record.Machine!);
            }
        }
        machines.Order().ShouldBe(gpuNodes.Order(), "every GPU node of the compose file took work");
        output.WriteLine($"gpu nodes that took work: {string.Join(", ", machines.Order())}");
        // Both coordinators serve the API: the standby answers from the same batches as the active one.
        foreach (var coordinator in new[] { "coordinator-1", "coordinator-2" })
        {
            var address = Regex.Match(cluster.Processes(coordinator)[0].Stdout, @"dashboard (http://\S+?)/ ").Groups[1].Value;
            address.ShouldNotBeEmpty($"{coordinator} says where its dashboard is");
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            (await client.GetAsync("/ready")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, coordinator);
            (await client.GetStringAsync("/api/batches/1")).ShouldContain("\"completed\"", customMessage: coordinator);
        }
        var status = cluster.Run("submit", "status");
        (await status.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, status.Stderr);
        status.Stdout.ShouldContain("batch 1  completed");

        // The operator's drain: cofi asks a coordinator's API, which drains the node and waits until it has left.
        var api = Regex.Match(cluster.Processes("coordinator-1")[0].Stdout, @"dashboard http://(\S+?)/ ").Groups[1].Value;
        using var drain = CofiProcess.StartDll(Path.Combine(AppContext.BaseDirectory, "cofi.dll"), new Dictionary<string, string>(),
            api, "gpu", "drain", "gpu-3", "--reason", "compose test", "--json");
        (await drain.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, drain.Stdout + drain.Stderr);
        drain.Stdout.ShouldContain("\"left\":true");
        (await cluster.Processes("gpu")[2].WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, "a drained node leaves and exits");
    }

    public void Dispose() => _dir.Dispose();
}
