using Cofi.Actors.Batches;

namespace Cofi.Actors.Tests.Batches;

public sealed class BatchManagerStateSpecs
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-23T10:00:00Z");

    private static BatchManagerState Submit(BatchManagerState state, string input)
    {
        var (_, submitted) = state.Decide(new BatchCommands.Submit(input, false), Now);
        return state.Apply(submitted!);
    }

    [Fact]
    public void Should_number_batches_from_one()
    {
        var (reply, submitted) = BatchManagerState.Empty.Decide(new BatchCommands.Submit("/in/a", true), Now);

        reply.ShouldBe(new BatchAccepted(1, false));
        submitted.ShouldBe(new BatchEvents.Submitted(1, "/in/a", Now));
    }

    [Fact]
    public void Should_resume_the_unfinished_batch_over_the_same_input()
    {
        var state = Submit(Submit(BatchManagerState.Empty, "/in/a"), "/in/b").Apply(new BatchEvents.Started(1, Now));

        var (reply, submitted) = state.Decide(new BatchCommands.Submit("/in/a", true), Now);

        reply.ShouldBe(new BatchAccepted(1, true));
        submitted.ShouldBeNull();
    }

    [Fact]
    public void Should_start_a_new_batch_when_the_last_one_over_the_input_finished()
    {
        var state = Submit(BatchManagerState.Empty, "/in/a")
            .Apply(new BatchEvents.Started(1, Now))
            .Apply(new BatchEvents.Finished(1, BatchStatus.Completed, null, [], Now));

        state.Decide(new BatchCommands.Submit("/in/a", true), Now).Reply.ShouldBe(new BatchAccepted(2, false));
    }

    [Fact]
    public void Should_start_no_more_than_the_concurrency_limit_oldest_first()
    {
        var state = Submit(Submit(Submit(BatchManagerState.Empty, "/a"), "/b"), "/c");

        state.Startable(2).ShouldBe([1L, 2L]);
        state.Apply(new BatchEvents.Started(1, Now)).Startable(2).ShouldBe([2L]);
        state.Apply(new BatchEvents.Started(1, Now)).Apply(new BatchEvents.Started(2, Now)).Startable(2).ShouldBeEmpty();
    }

    [Fact]
    public void Should_keep_the_final_counts_and_reason_of_a_finished_batch()
    {
        var state = Submit(BatchManagerState.Empty, "/a").Apply(new BatchEvents.Started(1, Now))
            .Apply(new BatchEvents.Finished(1, BatchStatus.Failed, "no valid input file", [], Now));

        var entry = state.Batches[1];
        (entry.Summary.Status, entry.Summary.Reason, entry.IsUnfinished).ShouldBe((BatchStatus.Failed, "no valid input file", false));
    }
}
