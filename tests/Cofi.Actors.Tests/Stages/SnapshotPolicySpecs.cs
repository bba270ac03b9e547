using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Stages;

public sealed class SnapshotPolicySpecs
{
    [Fact]
    public void Should_wait_for_the_event_interval()
    {
        var policy = new SnapshotPolicy(100);

        policy.IsDue(99, 5_000).ShouldBeFalse();
        policy.IsDue(100, 5_000).ShouldBeTrue();
    }

    [Fact]
    public void Should_wait_for_the_state_to_double_since_the_last_snapshot()
    {
        var policy = new SnapshotPolicy(10);
        policy.Taken(10, 1_000);

        policy.IsDue(20, 1_999).ShouldBeFalse();
        policy.IsDue(20, 2_000).ShouldBeTrue();
    }

    [Fact]
    public void Should_write_less_than_twice_the_final_state_over_a_growing_batch()
    {
        var policy = new SnapshotPolicy(5);
        long written = 0;
        for (var seq = 1; seq <= 20_000; seq++)
        {
            var size = seq * 5; // five files settled per event, 100,000 in all
            if (!policy.IsDue(seq, size)) continue;
            policy.Taken(seq, size);
            written += size;
        }

        written.ShouldBeLessThan(2 * 100_000);
        written.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Should_spread_the_snapshots_of_stages_growing_together()
    {
        // Nine stages with the phases their batch gives them, each settling five files an event.
        var policies = Enumerable.Range(0, 9).Select(i => new SnapshotPolicy(100, i / 9.0)).ToList();
        var taken = policies.Select(_ => new List<int>()).ToList();
        for (var seq = 1; seq <= 20_000; seq++)
            for (var stage = 0; stage < policies.Count; stage++)
            {
                if (!policies[stage].IsDue(seq, seq * 5)) continue;
                policies[stage].Taken(seq, seq * 5);
                taken[stage].Add(seq);
            }

        taken.Select(t => t[0]).ShouldBe([100, 111, 122, 133, 144, 155, 166, 177, 188]);
        var all = taken.SelectMany(t => t).ToList();
        all.Distinct().Count().ShouldBe(all.Count, "no two stages snapshot after the same event");
        taken.ShouldAllBe(t => t.Count >= 7 && t.Count <= 8, "each still snapshots only when its state doubled");
    }
}
