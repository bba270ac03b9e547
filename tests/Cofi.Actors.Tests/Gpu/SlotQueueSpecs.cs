using Cofi.Actors.Gpu;

namespace Cofi.Actors.Tests.Gpu;

public sealed class SlotQueueSpecs
{
    private readonly SlotQueue<string> _slots = new(2);

    [Fact]
    public void Should_never_grant_more_calls_than_the_machine_has_slots_whatever_the_batches()
    {
        _slots.Request(1, "a1").ShouldBeTrue();
        _slots.Request(2, "b1").ShouldBeTrue();

        _slots.Request(1, "a2").ShouldBeFalse();
        _slots.Request(3, "c1").ShouldBeFalse();
        (_slots.Busy, _slots.Waiting).ShouldBe((2, 2));
        _slots.Release(2).Count.ShouldBe(1, "one slot freed, one call granted");
        _slots.Busy.ShouldBe(2);
    }

    [Fact]
    public void Should_give_a_freed_slot_to_the_highest_priority_batch_waiting_without_taking_back_running_calls()
    {
        _slots.Rank(1, priority: 0, weight: 1);
        _slots.Rank(2, priority: 50, weight: 1);
        _slots.Request(1, "low-1");
        _slots.Request(1, "low-2");
        _slots.Request(1, "low-3");

        _slots.Request(2, "high-1").ShouldBeFalse("the low batch's running calls keep their slots");
        _slots.Release(1).ShouldBe([(2L, "high-1")]);
        _slots.Release(1).ShouldBe([(1L, "low-3")]);
    }

    [Fact]
    public void Should_share_slots_between_equal_batches_in_proportion_to_their_weights()
    {
        var slots = new SlotQueue<string>(4);
        slots.Rank(1, 0, weight: 1);
        slots.Rank(2, 0, weight: 3);
        var running = new Queue<long>();
        for (var i = 0; i < 40; i++)
        {
            if (slots.Request(1, $"a{i}")) running.Enqueue(1);
            if (slots.Request(2, $"b{i}")) running.Enqueue(2);
        }

        var granted = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            // Every call takes as long: the oldest one running ends next.
            foreach (var (batch, _) in slots.Release(running.Dequeue()))
            {
                granted.Add(batch);
                running.Enqueue(batch);
            }
        }

        (slots.InUseBy(1), slots.InUseBy(2)).ShouldBe((1, 3), "a weight of 3 against 1 holds three slots of four");
        granted.Count(b => b == 2).ShouldBeInRange(29, 31, "three calls in four go to the batch of weight 3");
    }

    [Fact]
    public void Should_rank_waiting_calls_again_when_a_batch_changes_priority()
    {
        _slots.Request(1, "a1");
        _slots.Request(1, "a2");
        _slots.Request(1, "a3");
        _slots.Request(2, "b1");

        _slots.Rank(2, priority: 10, weight: 1);

        _slots.Release(1).Single().Call.ShouldBe("b1");
    }

    [Fact]
    public void Should_drop_the_waiting_calls_of_a_worker_that_is_gone()
    {
        _slots.Request(1, "a1");
        _slots.Request(1, "a2");
        _slots.Request(2, "gone-1");

        _slots.Withdraw(c => c.StartsWith("gone")).ShouldBe(["gone-1"]);
        _slots.Release(1).ShouldBeEmpty();
        _slots.Busy.ShouldBe(1);
    }
}
