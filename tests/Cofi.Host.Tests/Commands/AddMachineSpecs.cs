using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>
/// Adding a GPU machine on real processes: a coordinator runs a batch on one GPU machine that is only an HTTP
/// endpoint (a Kestrel model server on loopback); an operator adds a second one over the API while it runs, and it takes work.
/// </summary>
public sealed class AddMachineSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_give_a_machine_added_by_the_operator_work_from_the_running_batch()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 120, 0);
        await using var server = await FakeModelServer.StartAsync(2);
        server.Faults = new FaultMix(Latency: TimeSpan.FromMilliseconds(100));
        var (first, second) = (server.Machines[0], server.Machines[1]);
        var config = await HttpPipelineConfig.WriteAsync(_dir.File("http.conf"), server, slots: 2, $"cofi.gpu.machines = [\"{first}\"]");
        var port = FreePort.Next();
        var cluster = new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_SEEDS"] = $"akka.tcp://cofi@127.0.0.1:{port}" };
        using var lighthouse = CofiProcess.StartDll(CofiProcess.LighthouseDll, new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_PORT"] = port.ToString() });
        await ClusterRig.Until(() => lighthouse.Stdout.Contains("lighthouse: up at"), "lighthouse up", lighthouse);
        using var coordinator = CofiProcess.StartDll(CofiProcess.HostDll, cluster,
            "run", "--roles", "coordinator", "--input", input, "--db", _dir.File("cofi.db"), "--config", config, "--latency", "0");
        await ClusterRig.Until(() => server.Calls.Count(c => c.Machine == first) >= 10 && coordinator.Stdout.Contains("dashboard: "), "the first machine working", coordinator);
        var api = coordinator.Stdout.Split('\n').First(l => l.StartsWith("dashboard: ")).Split(' ')[1].Trim();

        using var http = new HttpClient { BaseAddress = new Uri(api) };
        var added = await http.PostAsync("/api/machines", new StringContent($$"""{"host":"{{second}}","reason":"more capacity"}""", System.Text.Encoding.UTF8, "application/json"));

        added.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await added.Content.ReadAsStringAsync());
        (await added.Content.ReadAsStringAsync()).ShouldContain("\"runningBatches\":1");
        coordinator.Stdout.ShouldContain($"operator: GPU machine {second} added; 1 running batch(es) send it work (reason: more capacity)");
        (await coordinator.WaitForExitAsync(Patience)).ShouldBe(0, coordinator.Stdout + coordinator.Stderr);
        server.Calls.Count(c => c.Machine == second).ShouldBeGreaterThan(0, "the added machine took work from the running batch");
        server.Calls.Where(c => c.Machine == second).ShouldAllBe(c => c.Status == 200);
    }

    public void Dispose() => _dir.Dispose();
}
