using Cofi.Actors.Batches;

namespace Cofi.Actors.Tests.Batches;

public sealed class BatchRunStateSpecs
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Should_rebuild_how_the_batch_ended_and_its_last_retry_from_its_events()
    {
        var state = BatchRunState.Initial(paused: false, retryStage: null)
            .Apply(new BatchEvents.Finished(3, BatchStatus.Completed, null, [], At))
            .Apply(new BatchEvents.RetryStarted(3, 1, At.AddMinutes(1)));

        (state.Finished, state.RetriesDone).ShouldBe((null, 1), "a retry reopens a finished batch");
        state.OwesRetry(1).ShouldBeFalse();
        state.OwesRetry(2).ShouldBeTrue();
    }

    [Fact]
    public void Should_start_distribution_once_ready_unless_a_retry_waits_or_runs()
    {
        var state = BatchRunState.Initial(paused: true, retryStage: "stt");

        state.WhenAllReady().ShouldBe(BatchStart.Distribution);
        state.RetryRecorded("stt", false).WhenAllReady().ShouldBe(BatchStart.Retry);
        state.RetryRecorded("stt", false).RetryBegun().WhenAllReady().ShouldBe(BatchStart.Wait);
        state.RetryRecorded(null, false).RetryBegun().RetryEnded().ShouldSatisfyAllConditions(
            s => s.Retry.ShouldBe(RetryPhase.None),
            s => s.RetryStage.ShouldBeNull(),
            s => s.Paused.ShouldBeTrue());
    }
}
