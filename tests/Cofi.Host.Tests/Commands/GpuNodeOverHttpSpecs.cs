using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>
/// executor = http in a cluster of real processes: a GPU node's workers call the model services on the node
/// itself (cofi.gpu.local-host), here a Kestrel model server on a loopback address of its own.
/// </summary>
public sealed class GpuNodeOverHttpSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_send_a_gpu_nodes_calls_to_its_own_model_services()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 30, 0);
        await using var server = await FakeModelServer.StartAsync(2);
        var local = server.Machines[1];
        var config = await HttpPipelineConfig.WriteAsync(_dir.File("http.conf"), server, slots: 2, $"cofi.gpu.local-host = \"{local}\"");
        var port = FreePort.Next();
        var cluster = new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_SEEDS"] = $"akka.tcp://cofi@127.0.0.1:{port}" };
        using var lighthouse = CofiProcess.StartDll(CofiProcess.LighthouseDll, new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_PORT"] = port.ToString() });
        await ClusterRig.Until(() => lighthouse.Stdout.Contains("lighthouse: up at"), "lighthouse up", lighthouse);
        using var node = CofiProcess.StartDll(CofiProcess.HostDll, cluster, "node", "--name", "n1", "--config", config);
        await ClusterRig.Until(() => node.Stdout.Contains("node n1: up at"), "n1 up", node);

        using var coordinator = CofiProcess.StartDll(CofiProcess.HostDll, cluster,
            "run", "--roles", "coordinator", "--input", input, "--db", _dir.File("cofi.db"), "--config", config);
        var code = await coordinator.WaitForExitAsync(Patience);

        code.ShouldBe(0, coordinator.Stdout + coordinator.Stderr + node.Stdout + node.Stderr);
        var calls = server.Calls;
        calls.Count(c => c.Path == "stt").ShouldBe(30, "every file went through stt on the node's own services");
        calls.ShouldAllBe(c => c.Machine == local, "the node calls its local host, nothing else");
        calls.Where(c => c.Path == "denoise").Select(c => c.IdempotencyKey).ShouldBeUnique();
    }

    public void Dispose() => _dir.Dispose();
}
