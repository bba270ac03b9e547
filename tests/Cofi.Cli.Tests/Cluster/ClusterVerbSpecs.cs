using System.Diagnostics;
using System.Text.Json;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;
using Cofi.Cli.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Cli.Tests.Cluster;

/// <summary>
/// A cluster of real processes (a Lighthouse, a serve coordinator, GPU nodes) driven only through cofi: a batch
/// submitted, paused, resumed and watched to its end while a GPU node is drained, one leaves through its own endpoint
/// (the preStop idiom), a frozen one is marked down, and cluster tail sees them come and go.
/// </summary>
public sealed class ClusterVerbSpecs : IDisposable
{
    private const int Files = 600;
    private readonly TempDirectory _dir = new("cofi-cli-cluster");

    [Fact]
    public async Task Should_run_a_batch_and_manage_members_through_cofi_alone()
    {
        await using var rig = new ClusterRig(_dir, files: 1);
        await rig.LighthouseUpAsync();
        var drained = await rig.StartGpuNodeUpAsync("n1", latencyMs: 10);
        await rig.StartGpuNodeUpAsync("n2", latencyMs: 10);
        var seeds = new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_SEEDS"] = $"akka.tcp://cofi@127.0.0.1:{rig.LighthousePort}" };
        await using var serve = await ServeNode.StartAsync("10ms", seeds, new TempDirectory("cofi-cli-coordinator"));
        await Eventually(async () => (await Json(serve, "cluster", "show")).GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == 4,
            "lighthouse, coordinator and two GPU nodes up");
        using var tail = CofiCommand.Follow(serve.WithToken, serve.Address, "cluster", "tail", "--json");
        await ClusterRig.Until(() => tail.Stdout.Contains("\"subscribed\""), "cluster tail subscribed");

        var batchId = await serve.SubmitAsync(serve.Samples("cluster", Files), "--reason", "cluster run");
        await ClusterRig.Until(() => rig.Calls("n1").Count >= 20, "n1 working", serve.Process, drained);
        (await Json(serve, "batch", "pause", batchId.ToString())).GetProperty("status").GetString().ShouldBe("paused");
        (await Json(serve, "batch", "resume", batchId.ToString())).GetProperty("status").GetString().ShouldBe("running");

        var drain = await serve.CofiAsync("gpu", "drain", "n1", "--wait", "2m", "--reason", "maintenance", "--json");
        drain.ExitCode.ShouldBe(0, drain.ToString());
        drain.Json.GetProperty("left").GetBoolean().ShouldBeTrue();
        (await drained.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, "a drained node leaves and exits");

        var leaving = await rig.StartGpuNodeUpAsync("n3", latencyMs: 10);
        var leavingAddress = UpAddress(leaving, "n3");
        await ClusterRig.Until(() => Events(tail).Any(e => e.Event == "up" && e.Address == leavingAddress), "cluster tail seeing n3 join", leaving);
        var preStop = await CofiCommand.RunAsync(serve.WithToken, ManagementAddress(leaving), "cluster", "leave", "--reason", "preStop", "--json");
        preStop.ExitCode.ShouldBe(0, preStop.ToString());
        (await leaving.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, "the node left through its own endpoint and exited");
        await ClusterRig.Until(() => Events(tail).Any(e => e.Event == "removed" && e.Address == leavingAddress), "cluster tail seeing n3 leave", leaving);

        var frozen = await rig.StartGpuNodeUpAsync("n4", latencyMs: 10);
        var frozenAddress = UpAddress(frozen, "n4");
        Signal("STOP", frozen.Id);
        await Eventually(async () => Member(await Json(serve, "cluster", "show"), frozenAddress) is { } m && !m.GetProperty("reachable").GetBoolean(), "n4 unreachable");
        var down = await serve.CofiAsync("cluster", "down", frozenAddress, "--yes", "--json");
        down.ExitCode.ShouldBe(0, down.ToString());
        await Eventually(async () => Member(await Json(serve, "cluster", "show"), frozenAddress) is null, "n4 removed");
        Signal("CONT", frozen.Id);

        var watch = await serve.CofiAsync("batch", "watch", batchId.ToString());
        watch.ExitCode.ShouldBe(0, watch.ToString());
        (await Json(serve, "batch", "show", batchId.ToString())).GetProperty("batch").GetProperty("status").GetString().ShouldBe("completed");
        await JournalChecks.ShouldHaveRecordedEveryFileOnceAsync(DatabaseSettings.Sqlite(serve.Database), Files);
        serve.Process.Stdout.ShouldContain("operator: GPU node n1 (");
        serve.Process.Stdout.ShouldContain("(reason: maintenance)");
    }

    private sealed record ClusterEvent(string? Event, string? Address);

    private static IEnumerable<ClusterEvent> Events(CofiCommand.Running tail) =>
        tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => new ClusterEvent(e.GetProperty("event").GetString(), e.GetProperty("address").GetString()));

    private static JsonElement? Member(JsonElement cluster, string address) =>
        cluster.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("address").GetString() == address).Select(m => (JsonElement?)m).FirstOrDefault();

    private static string UpAddress(CofiProcess node, string name)
    {
        var line = node.Stdout.Split('\n').First(l => l.Contains($"node {name}: up at "));
        return line.Split(" up at ")[1].Split(' ')[0];
    }

    /// <summary>HOST:PORT of a GPU node's own endpoints (health, metrics, and the operator's node-level verbs).</summary>
    private static string ManagementAddress(CofiProcess node)
    {
        var line = node.Stdout.Split('\n').First(l => l.Contains("health, readiness and metrics at http://"));
        return line.Split("at http://")[1].Split('/')[0];
    }

    private static async Task<JsonElement> Json(ServeNode serve, params string[] args)
    {
        var result = await serve.CofiAsync([.. args, "--json"]);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result.Json;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + ClusterRig.Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within {ClusterRig.Patience}");
            await Task.Delay(250);
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString()])!;
        kill.WaitForExit();
    }

    public void Dispose() => _dir.Dispose();
}
