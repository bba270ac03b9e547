using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Stages;

public sealed class StageStateSpecs
{
    private static FileRecord Record(int id, FileStatus status) => new(id, $"f{id}.wav", status, status == FileStatus.Done ? "{}" : null, status == FileStatus.Done ? null : "why", 1, "gpu-1", 5);

    private static StageEvents.OutcomesRecorded Recorded(params FileRecord[] records) => new(1, "stt", records, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Should_count_each_settled_file_by_its_status()
    {
        var state = StageState.Empty.Apply(Recorded(Record(1, FileStatus.Done), Record(2, FileStatus.Failed), Record(3, FileStatus.Skipped), Record(4, FileStatus.Done)));

        (state.Done, state.Failed, state.Skipped, state.Settled).ShouldBe((2, 1, 1, 4));
        state.IsSettled(3).ShouldBeTrue();
        state.IsSettled(5).ShouldBeFalse();
    }

    [Fact]
    public void Should_keep_the_first_record_of_a_file()
    {
        var state = StageState.Empty.Apply(Recorded(Record(1, FileStatus.Done))).Apply(Recorded(Record(1, FileStatus.Failed)));

        state.Records[1].Status.ShouldBe(FileStatus.Done);
        (state.Done, state.Failed).ShouldBe((1, 0));
    }

    [Fact]
    public void Should_rebuild_the_same_state_from_a_snapshot()
    {
        var state = StageState.Empty.Apply(Recorded(Record(1, FileStatus.Done), Record(2, FileStatus.Skipped)))
            .Apply(new StageEvents.StageCompleted(1, "stt", 1, 0, 1, DateTimeOffset.UnixEpoch));

        var restored = StageState.FromSnapshot(state.ToSnapshot());

        restored.Records.Values.OrderBy(r => r.FileId).ShouldBe(state.Records.Values.OrderBy(r => r.FileId));
        (restored.Done, restored.Skipped, restored.Completed).ShouldBe((1, 1, true));
    }

    [Fact]
    public void Should_keep_what_decides_of_a_record_and_leave_its_history_and_bodies_to_the_journal()
    {
        var record = Record(1, FileStatus.Failed) with
        {
            Attempts = 2, Quarantined = true,
            History = [new AttemptRecord(2, "gpu-1", AttemptOutcome.TransientFailure, "no answer", 5, DateTimeOffset.UnixEpoch, null, new string('x', 4000))],
        };

        var snapshot = StageState.Empty.Apply(Recorded(record)).ToSnapshot();

        snapshot.Records.ShouldBe([new SettledFile(1, FileStatus.Failed, null, "why", 2, Quarantined: true)]);
    }

    [Fact]
    public void Should_keep_no_results_at_a_stage_that_hands_nothing_on_even_from_a_snapshot_that_has_them()
    {
        var last = StageState.For(handsOn: false).Apply(Recorded(Record(1, FileStatus.Done) with { Result = "{\"final\":1}" }, Record(2, FileStatus.Failed)));
        var kept = StageState.For(handsOn: true).Apply(Recorded(Record(1, FileStatus.Done) with { Result = "{\"final\":1}" }));

        last.Records[1].ShouldBe(new SettledFile(1, FileStatus.Done, null, null, 1));
        last.Records[2].Reason.ShouldBe("why");
        (last.Done, last.Failed).ShouldBe((1, 1));
        StageState.FromSnapshot(kept.ToSnapshot(), handsOn: false).Records[1].Result.ShouldBeNull();
        StageState.FromSnapshot(kept.ToSnapshot()).Records[1].Result.ShouldBe("{\"final\":1}");
    }

    [Fact]
    public void Should_be_complete_only_after_the_completion_event()
    {
        StageState.Empty.Apply(Recorded(Record(1, FileStatus.Done))).Completed.ShouldBeFalse();
    }

    [Fact]
    public void Should_leave_quarantined_files_out_of_the_failed_ones_unless_asked()
    {
        var state = StageState.Empty.Apply(Recorded(Record(1, FileStatus.Failed), Record(2, FileStatus.Failed) with { Quarantined = true }));

        state.FailedFileIds().ShouldBe([1]);
        state.FailedFileIds(includeQuarantined: true).ShouldBe([1, 2]);
        state.Failed.ShouldBe(2, "a quarantined file counts as failed");
    }

    [Fact]
    public void Should_unsettle_requeued_files_and_record_them_again()
    {
        var state = StageState.Empty.Apply(Recorded(Record(1, FileStatus.Done), Record(2, FileStatus.Failed), Record(3, FileStatus.Skipped)))
            .Apply(new StageEvents.StageCompleted(1, "stt", 1, 1, 1, DateTimeOffset.UnixEpoch));

        state.FailedFileIds().ShouldBe([2]);
        var requeued = state.Apply(new StageEvents.FilesRequeued(1, "stt", [2, 3, 9], DateTimeOffset.UnixEpoch));

        (requeued.Done, requeued.Failed, requeued.Skipped, requeued.Completed).ShouldBe((1, 0, 0, false));
        requeued.IsSettled(2).ShouldBeFalse();
        requeued.Apply(Recorded(Record(2, FileStatus.Done))).Records[2].Status.ShouldBe(FileStatus.Done);
    }
}
