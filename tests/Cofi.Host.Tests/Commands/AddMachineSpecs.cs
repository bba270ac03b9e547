using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>
/// add-machine on real processes: a coordinator runs a batch on one GPU machine that is only an HTTP endpoint (a
/// Kestrel model server on loopback); an operator adds a second one while it runs, and it takes work.
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
        var config = _dir.File("http.conf");
        await File.WriteAllTextAsync(config, $$"""
            cofi.gpu.machines = ["{{first}}"]
            cofi.stage-defaults { executor = http, slots = 2, http.port = {{server.Port}} }
            cofi.pipeline.stage {
              denoise.http.path = "/denoise"
              ivr.http.path = "/ivr"
              lid.http.path = "/lid"
              stt.http.path = "/stt"
              llm1.executor = simulated
              llm2.executor = simulated
            }
            """);
        var port = FreePort.Next();
        var cluster = new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_SEEDS"] = $"akka.tcp://cofi@127.0.0.1:{port}" };
        using var lighthouse = CofiProcess.StartDll(CofiProcess.LighthouseDll, new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_PORT"] = port.ToString() });
        await ClusterRig.Until(() => lighthouse.Stdout.Contains("lighthouse: up at"), "lighthouse up", lighthouse);
        using var coordinator = CofiProcess.StartDll(CofiProcess.HostDll, cluster,
            "run", "--roles", "coordinator", "--input", input, "--db", _dir.File("cofi.db"), "--config", config, "--latency", "0");
        await ClusterRig.Until(() => server.Calls.Count(c => c.Machine == first) >= 10, "the first machine working", coordinator);

        using var add = CofiProcess.StartDll(CofiProcess.HostDll, cluster, "add-machine", second);
        var added = await add.WaitForExitAsync(Patience);

        added.ShouldBe(0, add.Stdout + add.Stderr);
        add.Stdout.ShouldContain($"added GPU machine {second}: 1 running batch(es)");
        (await coordinator.WaitForExitAsync(Patience)).ShouldBe(0, coordinator.Stdout + coordinator.Stderr);
        server.Calls.Count(c => c.Machine == second).ShouldBeGreaterThan(0, "the added machine took work from the running batch");
        server.Calls.Where(c => c.Machine == second).ShouldAllBe(c => c.Status == 200);
    }

    [Fact]
    public async Task Should_refuse_to_run_without_a_cluster_to_tell()
    {
        using var add = CofiProcess.StartDll(CofiProcess.HostDll, new Dictionary<string, string> { ["CLUSTER_SEEDS"] = "" }, "add-machine", "10.0.0.9");

        (await add.WaitForExitAsync(Patience)).ShouldBe(3);
        add.Stderr.ShouldContain("CLUSTER_SEEDS");
    }

    public void Dispose() => _dir.Dispose();
}
