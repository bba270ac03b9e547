using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;
using Xunit.Abstractions;

namespace Cofi.Host.Tests.Cluster;

/// <summary>
/// A Lighthouse, two standing coordinators (<c>serve</c>) on one MariaDB database and a GPU node whose model services
/// refuse connections, all real processes; the active coordinator serves a live machine of its own (an HTTP endpoint).
/// The GPU node's breaker opens during the batch, and the fleet history of both coordinators, the standby's too, shows it.
/// </summary>
public sealed class ClusterBreakerSpecs(ITestOutputHelper output) : IDisposable
{
    // About 8 s of work for the live machine alone, so the batch still runs when the dead node's breaker opens.
    private const int Files = 120;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_show_a_gpu_nodes_breaker_opening_in_every_coordinators_fleet_history()
    {
        using var db = new MySqlTestDatabase();
        await using var server = await FakeModelServer.StartAsync(1);
        server.Faults = new FaultMix(Latency: TimeSpan.FromMilliseconds(100));
        var live = server.Machines[0];
        var coordinatorConfig = await HttpPipelineConfig.WriteAsync(_dir.File("coordinator.conf"), server, slots: 2, $"cofi.gpu.machines = [\"{live}\"]");
        var nodeConfig = await HttpPipelineConfig.WriteAsync(_dir.File("node.conf"), server, slots: 2,
            $"cofi.gpu.local-host = \"{FakeModelServer.DeadMachine(0)}\"");
        await using var rig = new ClusterRig(_dir, Files, db.ConnectionString);
        await rig.LighthouseUpAsync();
        // Started one after the other, so the first is the oldest coordinator and runs the singleton.
        using var active = await ServedCoordinator.StartAsync(rig, "c1", 5, coordinatorConfig);
        using var standby = await ServedCoordinator.StartAsync(rig, "c2", 5, coordinatorConfig);
        var dead = await rig.StartGpuNodeUpAsync("n1", 5, config: nodeConfig);
        await active.ReadyAsync();
        await standby.ReadyAsync();

        using var submitted = await active.Http.PostAsJsonAsync("api/batches", new { input = rig.Input });
        submitted.StatusCode.ShouldBe(HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
        var submittedAt = Stopwatch.StartNew();
        var batchId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetInt64();
        var everyone = new[] { active.Process, standby.Process, dead, rig.Lighthouse };
        var marks = new Dictionary<string, List<(string At, string Machine, string State)>>();
        foreach (var coordinator in new[] { active, standby })
        {
            marks[coordinator.Name] = await Poll.UntilAsync(() => CircuitsAsync(coordinator, batchId), c => c.Any(m => m.State == "Open"),
                $"the breaker of n1 open in {coordinator.Name}'s fleet history", ClusterRig.Patience,
                c => $"[{string.Join(", ", c)}]\n" + string.Join("\n---\n", everyone.Select(p => p.Stdout + p.Stderr)));
            output.WriteLine($"{coordinator.Name}: n1's breaker open in the fleet history {submittedAt.Elapsed.TotalSeconds:0.0} s after the batch was submitted");
        }
        var batch = (await active.Http.GetFromJsonAsync<JsonElement>($"api/batches/{batchId}")).GetProperty("batch");

        foreach (var (name, circuits) in marks)
        {
            circuits.ShouldAllBe(m => m.Machine == "n1", $"{name}: only the dead node's machine changed; the live one never did");
            circuits.ShouldBeUnique($"{name}: each change once");
        }
        var opened = marks["c1"].First(m => m.State == "Open");
        marks["c2"].ShouldContain(opened, "the standby keeps the same change, at the time it happened on the GPU node");
        var ended = batch.TryGetProperty("finishedAt", out var finishedAt) && finishedAt.ValueKind == JsonValueKind.String
            ? finishedAt.GetDateTimeOffset()
            : DateTimeOffset.MaxValue;
        DateTimeOffset.Parse(opened.At).ShouldBeInRange(batch.GetProperty("startedAt").GetDateTimeOffset(), ended, "the breaker opened while the batch ran");
    }

    /// <summary>The breaker changes the coordinator's fleet history of the batch lists; none while it has no history of it yet.</summary>
    private static async Task<List<(string At, string Machine, string State)>> CircuitsAsync(ServedCoordinator coordinator, long batchId)
    {
        using var response = await coordinator.Http.GetAsync($"api/batches/{batchId}/fleet");
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var fleet = await response.Content.ReadFromJsonAsync<JsonElement>();
        return fleet.GetProperty("circuits").EnumerateArray()
            .Select(c => (c.GetProperty("at").GetString()!, c.GetProperty("machine").GetString()!, c.GetProperty("state").GetString()!))
            .ToList();
    }

    public void Dispose() => _dir.Dispose();
}
