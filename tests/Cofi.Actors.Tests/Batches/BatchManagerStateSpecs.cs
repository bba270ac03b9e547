using Cofi.Actors.Batches;
using Cofi.Actors.Stages;

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

        reply.ShouldBe(new BatchReplies.Accepted(1, false));
        submitted.ShouldBe(new BatchEvents.Submitted(1, "/in/a", Now, "a"));
    }

    [Fact]
    public void Should_prune_only_the_batches_that_ended_before_the_cutoff_never_an_unfinished_one()
    {
        var state = new[] { "/in/a", "/in/b", "/in/c", "/in/d", "/in/e" }.Aggregate(BatchManagerState.Empty, Submit)
            .Apply(new BatchEvents.Finished(1, BatchStatus.Completed, null, [], Now.AddDays(-100)))
            .Apply(new BatchEvents.Finished(2, BatchStatus.Cancelled, "by an operator", [], Now.AddDays(-95)))
            .Apply(new BatchEvents.Finished(3, BatchStatus.Failed, "no valid input", [], Now.AddDays(-10)))
            .Apply(new BatchEvents.Started(4, Now.AddDays(-200)))
            .Apply(new BatchEvents.Paused(4, Now.AddDays(-199)));

        state.EndedBefore(Now.AddDays(-90)).Select(b => b.BatchId).ShouldBe([1, 2]);
        state.EndedBefore(Now).Select(b => b.BatchId).ShouldBe([1, 2, 3], "batch 4 is paused and batch 5 queued, however old");
    }

    [Fact]
    public void Should_resume_the_unfinished_batch_over_the_same_input()
    {
        var state = Submit(Submit(BatchManagerState.Empty, "/in/a"), "/in/b").Apply(new BatchEvents.Started(1, Now));

        var (reply, submitted) = state.Decide(new BatchCommands.Submit("/in/a", true), Now);

        reply.ShouldBe(new BatchReplies.Accepted(1, true));
        submitted.ShouldBeNull();
    }

    [Fact]
    public void Should_start_a_new_batch_when_the_last_one_over_the_input_finished()
    {
        var state = Submit(BatchManagerState.Empty, "/in/a")
            .Apply(new BatchEvents.Started(1, Now))
            .Apply(new BatchEvents.Finished(1, BatchStatus.Completed, null, [], Now));

        state.Decide(new BatchCommands.Submit("/in/a", true), Now).Reply.ShouldBe(new BatchReplies.Accepted(2, false));
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

    [Fact]
    public void Should_keep_the_name_priority_and_labels_of_a_batch()
    {
        var labels = new Dictionary<string, string> { ["team"] = "sales", ["region"] = "eu" };

        var (_, submitted) = BatchManagerState.Empty.Decide(new BatchCommands.Submit("/in/a", false, "march calls", 40, labels), Now);
        var summary = BatchManagerState.Empty.Apply(submitted!).Batches[1].Summary;

        (summary.Name, summary.Priority).ShouldBe(("march calls", 40));
        summary.Labels.ShouldBe(labels, ignoreOrder: true);
    }

    [Theory]
    [InlineData("/in/folder", "folder")]
    [InlineData("/in/folder/", "folder")]
    [InlineData("/in/list.txt", "list.txt")]
    public void Should_name_a_batch_after_its_input_when_it_was_given_no_name(string input, string name)
    {
        var summary = Submit(BatchManagerState.Empty, input).Batches[1].Summary;

        (summary.Name, summary.Priority, summary.Labels.Count).ShouldBe((name, 0, 0));
    }

    [Fact]
    public void Should_name_a_batch_recorded_before_batches_had_names_after_its_input()
    {
        var summary = BatchManagerState.Empty.Apply(new BatchEvents.Submitted(1, "/in/old", Now)).Batches[1].Summary;

        (summary.Name, summary.Priority, summary.Labels.Count).ShouldBe(("old", 0, 0));
    }

    [Fact]
    public void Should_answer_a_retry_with_the_same_key_with_the_first_batch_and_record_nothing()
    {
        var first = new BatchCommands.Submit("/in/a", false, Priority: 5, IdempotencyKey: "k-1");
        var (_, submitted) = BatchManagerState.Empty.Decide(first, Now);
        var state = BatchManagerState.Empty.Apply(submitted!).Apply(new BatchEvents.Started(1, Now));

        var (reply, again) = state.Decide(first, Now.AddMinutes(5));

        reply.ShouldBe(new BatchReplies.Accepted(1, false, Replayed: true));
        again.ShouldBeNull();
    }

    [Fact]
    public void Should_find_a_key_in_the_state_rebuilt_from_the_journal()
    {
        var first = new BatchCommands.Submit("/in/a", false, IdempotencyKey: "k-1");
        var (_, submitted) = BatchManagerState.Empty.Decide(first, Now);
        var rebuilt = new IBatchEvent[] { submitted!, new BatchEvents.Started(1, Now), new BatchEvents.Finished(1, BatchStatus.Completed, null, [], Now) }
            .Aggregate(BatchManagerState.Empty, (state, e) => state.Apply(e));

        rebuilt.Decide(first, Now).Reply.ShouldBe(new BatchReplies.Accepted(1, false, Replayed: true));
    }

    [Fact]
    public void Should_take_a_retry_that_leaves_out_the_defaults_it_gave_for_the_same_request()
    {
        var state = Apply(new BatchCommands.Submit("/in/a", false, Name: "a", Priority: 0, Labels: new Dictionary<string, string>(), IdempotencyKey: "k-1"));

        state.Decide(new BatchCommands.Submit("/in/a", false, IdempotencyKey: "k-1"), Now).Reply.ShouldBe(new BatchReplies.Accepted(1, false, Replayed: true));
    }

    [Fact]
    public void Should_refuse_a_key_sent_again_with_another_request()
    {
        var state = Apply(new BatchCommands.Submit("/in/a", false, Priority: 5, IdempotencyKey: "k-1"));

        var (reply, submitted) = state.Decide(new BatchCommands.Submit("/in/a", false, Priority: 6, IdempotencyKey: "k-1"), Now);

        reply.ShouldBe(new BatchReplies.SubmitKeyConflict("k-1", 1));
        submitted.ShouldBeNull();
    }

    [Fact]
    public void Should_start_a_batch_for_another_key_over_the_same_input()
    {
        var state = Apply(new BatchCommands.Submit("/in/a", false, IdempotencyKey: "k-1"));

        state.Decide(new BatchCommands.Submit("/in/a", false, IdempotencyKey: "k-2"), Now).Reply.ShouldBe(new BatchReplies.Accepted(2, false));
    }

    [Fact]
    public void Should_remember_a_key_whose_submission_resumed_a_batch_after_the_batch_finished()
    {
        var resume = new BatchCommands.Submit("/in/a", true, IdempotencyKey: "k-1");
        var state = Submit(BatchManagerState.Empty, "/in/a").Apply(new BatchEvents.Started(1, Now));

        var (reply, recorded) = state.Decide(resume, Now);
        var finished = state.Apply(recorded!).Apply(new BatchEvents.Finished(1, BatchStatus.Completed, null, [], Now));

        reply.ShouldBe(new BatchReplies.Accepted(1, true));
        recorded.ShouldBeOfType<BatchEvents.ResumedBySubmit>().BatchId.ShouldBe(1);
        var (retried, nothing) = finished.Decide(resume, Now);
        retried.ShouldBe(new BatchReplies.Accepted(1, true, Replayed: true));
        nothing.ShouldBeNull();
    }

    [Fact]
    public void Should_say_that_the_latest_batch_over_an_input_completed_unless_asked_to_run_it_again()
    {
        IReadOnlyList<StageCounts> stages = [new(1, "metadata", 9, 1, 0, 0, 0, 10, true)];
        var state = Submit(BatchManagerState.Empty, "/in/a").Apply(new BatchEvents.Started(1, Now))
            .Apply(new BatchEvents.Finished(1, BatchStatus.Completed, null, stages, Now));

        var (reply, submitted) = state.Decide(new BatchCommands.Submit("/in/a", true, Again: false), Now);

        var completed = reply.ShouldBeOfType<BatchReplies.AlreadyCompleted>();
        (completed.Batch.BatchId, completed.Batch.Status, completed.Stages).ShouldBe((1L, BatchStatus.Completed, stages));
        submitted.ShouldBeNull();
        state.Decide(new BatchCommands.Submit("/in/a", true, Again: true), Now).Reply.ShouldBe(new BatchReplies.Accepted(2, false));
    }

    [Theory]
    [InlineData(BatchStatus.Failed)]
    [InlineData(BatchStatus.Cancelled)]
    public void Should_start_a_new_batch_over_an_input_whose_latest_batch_did_not_complete(BatchStatus status)
    {
        var state = Submit(BatchManagerState.Empty, "/in/a").Apply(new BatchEvents.Finished(1, BatchStatus.Completed, null, [], Now));
        state = Submit(state, "/in/a").Apply(new BatchEvents.Finished(2, status, "stopped", [], Now));

        state.Decide(new BatchCommands.Submit("/in/a", true, Again: false), Now).Reply.ShouldBe(new BatchReplies.Accepted(3, false));
    }

    [Fact]
    public void Should_resume_an_unfinished_batch_when_not_asked_to_run_again()
    {
        var state = Submit(BatchManagerState.Empty, "/in/a").Apply(new BatchEvents.Finished(1, BatchStatus.Completed, null, [], Now));
        state = Submit(state, "/in/a").Apply(new BatchEvents.Started(2, Now));

        state.Decide(new BatchCommands.Submit("/in/a", true, Again: false), Now).Reply.ShouldBe(new BatchReplies.Accepted(2, true));
    }

    [Fact]
    public void Should_purge_only_an_ended_batch_forget_it_and_its_key_and_never_give_its_id_again()
    {
        var state = Submit(BatchManagerState.Empty, "/in/a").Apply(new BatchEvents.Started(1, Now));
        var (_, keyed) = state.Decide(new BatchCommands.Submit("/in/b", false, IdempotencyKey: "k"), Now);
        state = state.Apply(keyed!).Apply(new BatchEvents.Finished(2, BatchStatus.Cancelled, "cancelled by an operator", [], Now));

        state.PurgeRefusal(1).ShouldBe(new BatchReplies.ControlRefused(1, "batch 1 is running; cancel it first"));
        state.PurgeRefusal(3).ShouldBe(new BatchReplies.NotFound(3));
        state.PurgeRefusal(2).ShouldBeNull();
        var purged = state.Apply(new BatchEvents.Purged(2, Now));

        purged.Batches.Keys.ShouldBe([1L]);
        purged.Keys.ShouldBeEmpty();
        purged.UnfinishedPurges.ShouldBe([2L]);
        purged.PurgeRefusal(2).ShouldBeNull("purging again finishes an interrupted purge");
        purged.Decide(new BatchCommands.Submit("/in/c", false), Now).Reply.ShouldBe(new BatchReplies.Accepted(3, false));
        purged.Apply(new BatchEvents.PurgeCompleted(2, Now)).UnfinishedPurges.ShouldBeEmpty();
    }

    private static BatchManagerState Apply(BatchCommands.Submit submit)
    {
        var (_, submitted) = BatchManagerState.Empty.Decide(submit, Now);
        return BatchManagerState.Empty.Apply(submitted!);
    }
}
