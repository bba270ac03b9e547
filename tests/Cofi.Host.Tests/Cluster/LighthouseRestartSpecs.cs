using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;
using Xunit.Abstractions;

namespace Cofi.Host.Tests.Cluster;

/// <summary>The seed is only needed to join: killing it leaves the running cluster alone, and a restarted one finds the cluster again.</summary>
public sealed class LighthouseRestartSpecs(ITestOutputHelper output) : IDisposable
{
    private const int Files = 300;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_keep_the_batch_going_through_a_lighthouse_restart_and_admit_new_nodes_through_the_new_one()
    {
        // The coordinator is a seed too: a restarted lighthouse asks it and rejoins the running cluster instead of starting one of its own.
        await using var rig = new ClusterRig(_dir, Files, coordinatorPort: FreePort.Next());
        await rig.LighthouseUpAsync();
        var n1 = await rig.StartGpuNodeUpAsync("n1", latencyMs: 500);
        var coordinator = rig.StartCoordinator(latencyMs: 500);
        await ClusterRig.Until(() => rig.Calls("n1").Count >= 20, "n1 working", coordinator, n1);

        rig.Lighthouse.Kill();
        var killed = rig.Calls("n1").Count;
        var restarted = rig.RestartLighthouse();
        await ClusterRig.Until(() => restarted.Stdout.Contains("lighthouse: up at"), "restarted lighthouse up", restarted);
        output.WriteLine($"calls on n1 while the lighthouse was away: {rig.Calls("n1").Count - killed}");
        rig.Calls("n1").Count.ShouldBeGreaterThan(killed, "the batch went on without its seed");

        // A node that knows only the lighthouse joins through the restarted one, into the same cluster: it gets work of the batch.
        var n2 = rig.StartGpuNode("n2", latencyMs: 500, throughLighthouseOnly: true);
        await ClusterRig.Until(() => rig.Calls("n2").Count > 0, "n2 working", coordinator, n2, restarted);

        (await coordinator.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, coordinator.Stderr);
        await JournalChecks.ShouldHaveRecordedEveryFileOnceAsync(DatabaseSettings.Sqlite(rig.Database), Files);
    }

    public void Dispose() => _dir.Dispose();
}
