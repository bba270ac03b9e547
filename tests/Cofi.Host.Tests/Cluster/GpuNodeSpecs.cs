using System.Diagnostics;
using System.Text.RegularExpressions;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;
using Xunit.Abstractions;

namespace Cofi.Host.Tests.Cluster;

/// <summary>GPU machines are cluster members: they join and leave while a batch runs, and nothing is lost or recorded twice.</summary>
public sealed class GpuNodeSpecs(ITestOutputHelper output) : IDisposable
{
    private const int Files = 300;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_give_a_node_that_joins_a_running_batch_work_within_five_seconds()
    {
        // Slow enough that one node alone needs about 25 s (40 ms calls took 10 s, and a loaded machine can take that
        // long to start n2), so the batch is still running when n2 is up.
        await using var rig = new ClusterRig(_dir, Files);
        await rig.LighthouseUpAsync();
        var first = await rig.StartGpuNodeUpAsync("n1", latencyMs: 100);
        var coordinator = rig.StartCoordinator(latencyMs: 100);
        await ClusterRig.Until(() => rig.Calls("n1").Count >= 50, "n1 working", coordinator, first);

        var second = rig.StartGpuNode("n2", latencyMs: 100);
        var started = DateTimeOffset.UtcNow;
        await ClusterRig.Until(() => second.Stdout.Contains("node n2: up at"), "n2 up", second);
        // When the test saw n2 say it is Up (within the 20 ms poll). The leader moves it to Up and the coordinator
        // attaches it as soon as it sees that, which can be before the gossip reaches n2: the figure can be negative.
        var upAt = DateTimeOffset.UtcNow;
        coordinator.Stdout.ShouldNotContain("batch 1: completed", customMessage: "the batch ended before n2 was up: it proves nothing about joining");
        await ClusterRig.Until(() => rig.Calls("n2").Count > 0, "n2's first call", coordinator, second);
        var firstCall = rig.Calls("n2").Min(c => c.StartedAt);
        var firstWork = firstCall - upAt;

        output.WriteLine($"join-to-first-work: first call {firstWork.TotalMilliseconds:0} ms after n2 printed Up, {(firstCall - started).TotalSeconds:0.00} s after its process started");
        firstWork.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        (await coordinator.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, coordinator.Stderr);
        await ShouldHaveRecordedEveryFileOnceAsync(rig);
        rig.Calls("n2").Count.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Should_finish_the_batch_on_the_other_node_when_one_is_killed()
    {
        // Both nodes are Up before the batch starts, so each gets a share of the work from the beginning.
        await using var rig = new ClusterRig(_dir, Files);
        await rig.LighthouseUpAsync();
        var doomed = await rig.StartGpuNodeUpAsync("n1", latencyMs: 10);
        var survivor = await rig.StartGpuNodeUpAsync("n2", latencyMs: 10);
        var coordinator = rig.StartCoordinator(latencyMs: 10);
        await ClusterRig.Until(() => rig.Calls("n1").Count >= 100, "n1 working", coordinator, doomed);

        doomed.Kill();

        (await coordinator.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, coordinator.Stderr);
        coordinator.Stdout.ShouldContain("batch 1: completed");
        await ShouldHaveRecordedEveryFileOnceAsync(rig);
    }

    [Fact]
    public async Task Should_move_the_work_of_an_unreachable_node_to_the_others()
    {
        // Both nodes are Up before the batch starts, so each gets a share of the work from the beginning.
        await using var rig = new ClusterRig(_dir, Files);
        await rig.LighthouseUpAsync();
        var frozen = await rig.StartGpuNodeUpAsync("n1", latencyMs: 10);
        var survivor = await rig.StartGpuNodeUpAsync("n2", latencyMs: 10);
        var coordinator = rig.StartCoordinator(latencyMs: 10);
        await ClusterRig.Until(() => rig.Calls("n1").Count >= 100, "n1 working", coordinator, frozen);

        Signal("STOP", frozen.Id);
        try
        {
            (await coordinator.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, coordinator.Stderr);
        }
        finally
        {
            Signal("CONT", frozen.Id);
        }
        await ShouldHaveRecordedEveryFileOnceAsync(rig);
    }

    [Fact]
    public async Task Should_drain_a_node_on_SIGTERM_and_let_it_leave_while_the_batch_goes_on()
    {
        // Both nodes are Up before the batch starts, so each gets a share of the work from the beginning.
        await using var rig = new ClusterRig(_dir, Files);
        await rig.LighthouseUpAsync();
        var leaving = await rig.StartGpuNodeUpAsync("n1", latencyMs: 10);
        var staying = await rig.StartGpuNodeUpAsync("n2", latencyMs: 10);
        var coordinator = rig.StartCoordinator(latencyMs: 10);
        await ClusterRig.Until(() => rig.Calls("n1").Count >= 100, "n1 working", coordinator, leaving);

        // Timed from before the signal is sent: the node's grace starts when the signal arrives.
        var stopping = Stopwatch.StartNew();
        leaving.Terminate();

        (await leaving.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, leaving.Stderr);
        stopping.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30 + 5), "within the default grace and the margin");
        leaving.Stdout.ShouldContain("node n1: draining, then leaving the cluster");
        leaving.Stdout.ShouldContain("node n1: left the cluster");
        var leftAfter = rig.Calls("n1").Count;
        (await coordinator.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, coordinator.Stderr);
        rig.Calls("n1").Count.ShouldBe(leftAfter, "a drained node takes no more work");
        await ShouldHaveRecordedEveryFileOnceAsync(rig);
        var drainedWork = rig.Calls("n1").Where(c => c.Outcome == "completed").Select(c => $"{c.Stage}/{c.File}").ToHashSet();
        rig.Calls("n2").Select(c => $"{c.Stage}/{c.File}").Where(drainedWork.Contains).ShouldBeEmpty("work n1 finished while draining is not done again");
    }

    [Fact]
    public async Task Should_leave_on_SIGTERM_within_its_grace_and_the_margin_when_its_calls_take_longer()
    {
        // n1's calls take 8 s and its grace is 3 s: it leaves without waiting for them (the coordinator requeues them).
        await using var rig = new ClusterRig(_dir, Files);
        await rig.LighthouseUpAsync();
        var leaving = await rig.StartGpuNodeUpAsync("n1", latencyMs: 8_000, new Dictionary<string, string> { ["COFI_SHUTDOWN_GRACE"] = "3s" });
        var coordinator = rig.StartCoordinator(latencyMs: 8_000);
        // Its first calls came back, and its slots were given the next ones at once.
        await ClusterRig.Until(() => rig.Calls("n1").Count > 0, "n1's first calls", coordinator, leaving);

        // Timed from before the signal is sent: the node's grace starts when the signal arrives.
        var stopping = Stopwatch.StartNew();
        leaving.Terminate();

        (await leaving.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, leaving.Stderr);
        // It waited the grace for its calls, then left without them.
        stopping.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(3));
        stopping.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3 + 5));
        leaving.Stdout.ShouldContain("node n1: draining, then leaving the cluster (calls in flight get 3s;");
        leaving.Stdout.ShouldContain("node n1: left the cluster");
    }

    private static Task ShouldHaveRecordedEveryFileOnceAsync(ClusterRig rig) =>
        JournalChecks.ShouldHaveRecordedEveryFileOnceAsync(DatabaseSettings.Sqlite(rig.Database), Files);

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString()])!;
        kill.WaitForExit();
    }

    public void Dispose() => _dir.Dispose();
}
