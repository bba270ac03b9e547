using System.Diagnostics;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;
using Xunit.Abstractions;

namespace Cofi.Host.Tests.Cluster;

/// <summary>The coordinator is a cluster singleton: a standby on the shared database takes over a batch whose coordinator died.</summary>
public sealed class CoordinatorSpecs(ITestOutputHelper output) : IDisposable
{
    // About 2,250 model calls: long enough that a batch is still running when a second process is Up.
    private const int Files = 600;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_let_the_standby_finish_the_batch_when_the_active_coordinator_is_killed()
    {
        using var db = new MySqlTestDatabase();
        await using var rig = new ClusterRig(_dir, Files, db.ConnectionString);
        await rig.LighthouseUpAsync();
        // 150 ms a call: with the machines' slots kept busy the batch takes about half a minute, still running when the
        // standby is Up even on an idle machine.
        var n1 = await rig.StartGpuNodeUpAsync("n1", latencyMs: 150);
        var n2 = await rig.StartGpuNodeUpAsync("n2", latencyMs: 150);
        var active = rig.StartCoordinator(latencyMs: 150);
        await ClusterRig.Until(() => active.Stdout.Contains("batch 1: started"), "batch started", active);
        var standby = rig.StartStandbyCoordinator("c2", latencyMs: 150);
        await ClusterRig.Until(() => standby.Stdout.Contains("node c2: up at"), "standby up", standby);
        // Kill once every member has seen the standby Up, not while its joining is still being gossiped.
        var callsAtStandbyUp = rig.Calls("n1", "n2").Count;
        await ClusterRig.Until(() => rig.Calls("n1", "n2").Count >= Math.Max(600, callsAtStandbyUp + 200), "batch under way", active, n1, n2);

        var killedAt = DateTimeOffset.UtcNow;
        active.Kill();

        await ClusterRig.Until(() => standby.Stdout.Contains("node c2: running batch 1"), "standby took over", standby, n1, n2, rig.Lighthouse);
        var tookOver = DateTimeOffset.UtcNow - killedAt;
        // Calls handed out before the kill may still start in its first moments; anything later was dispatched by the standby.
        await ClusterRig.Until(() => rig.Calls("n1", "n2").Any(c => c.StartedAt > killedAt.AddSeconds(2)), "dispatching again", standby, n1, n2);
        var dispatching = rig.Calls("n1", "n2").Where(c => c.StartedAt > killedAt.AddSeconds(2)).Min(c => c.StartedAt) - killedAt;
        output.WriteLine($"failover: singleton on the standby after {tookOver.TotalSeconds:0.0} s, dispatching again after {dispatching.TotalSeconds:0.0} s");

        await ClusterRig.Until(() => standby.Stdout.Contains("node c2: batch 1: completed"), "batch completed on the standby", standby);
        await JournalChecks.ShouldHaveRecordedEveryFileOnceAsync(db.Settings, Files);
        dispatching.ShouldBeLessThan(TimeSpan.FromSeconds(20), "failure detection, stable-after and the removal margin of hocon/cluster.conf, then recovery");
    }

    [Fact]
    public async Task Should_hold_the_batch_on_SIGTERM_to_the_coordinator_running_it_and_resume_it_with_the_next_run()
    {
        await using var rig = new ClusterRig(_dir, Files);
        await rig.LighthouseUpAsync();
        var n1 = await rig.StartGpuNodeUpAsync("n1", latencyMs: 50);
        var first = rig.StartCoordinator(latencyMs: 50);
        await ClusterRig.Until(() => rig.Calls("n1").Count >= 300, "batch under way", first, n1);

        first.Terminate();
        var stopping = Stopwatch.StartNew();

        (await first.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(143, first.Stderr);
        stopping.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30 + 5), "within the default grace and the margin");
        first.Stdout.ShouldContain("stopped: every call in flight came back and is recorded");
        var cameBack = rig.Calls("n1").Where(c => c.Outcome == "completed").ToList();
        var recorded = await JournalChecks.RecordedFilesAsync(DatabaseSettings.Sqlite(rig.Database));
        cameBack.Where(c => !recorded[c.Stage].Contains(c.File)).Select(c => $"{c.Stage}/{c.File}").ShouldBeEmpty("every call that came back is recorded");

        var second = rig.StartCoordinator(latencyMs: 50);
        (await second.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, second.Stderr);
        second.Stdout.ShouldContain("resuming batch 1:");
        await JournalChecks.ShouldHaveRecordedEveryFileOnceAsync(DatabaseSettings.Sqlite(rig.Database), Files);
    }

    [Fact]
    public async Task Should_refuse_a_second_coordinator_on_SQLite()
    {
        await using var rig = new ClusterRig(_dir, 10);
        await rig.LighthouseUpAsync();
        var first = rig.StartStandbyCoordinator("c1", latencyMs: 0);
        await ClusterRig.Until(() => first.Stdout.Contains("node c1: up at"), "c1 up", first);

        var second = rig.StartStandbyCoordinator("c2", latencyMs: 0, database: _dir.File("other.db"));

        (await second.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(4, second.Stdout);
        second.Stderr.ShouldContain("only one coordinator is allowed");
        second.Stderr.ShouldContain("--db or COFI_DB");
    }

    public void Dispose() => _dir.Dispose();
}
