using System.Collections.Immutable;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Stages;

/// <summary>Speculative attempts as the dispatcher decides them: workers are names, time is given.</summary>
public sealed class StageSpeculationSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(5);

    private readonly StageDispatcher<string> _dispatcher = new(Stt("speculate-after = 5s, speculate-max = 0.5"));

    [Fact]
    public void Should_back_up_a_straggler_on_another_machine_and_record_the_first_answer_cancelling_the_other()
    {
        Enqueue(1);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        var first = _dispatcher.Assign(Now).Single();
        _dispatcher.Offer("w-a2", "gpu-a", 1);
        _dispatcher.Offer("w-b", "gpu-b", 1);

        _dispatcher.Assign(Now + After - TimeSpan.FromMilliseconds(1)).ShouldBeEmpty("not a straggler yet");
        var backup = _dispatcher.Assign(Now + After).Single();

        (backup.Worker, backup.Machine, backup.Attempt, backup.BackupOf).ShouldBe(("w-b", "gpu-b", 2, 1), "on another machine, as attempt 2");
        _dispatcher.InFlight.ShouldBe(2);
        _dispatcher.Running(Now + After).Select(c => (c.Attempt, c.Speculation)).ShouldBe([(1, SpeculationState.BackedUp), (2, SpeculationState.Backup)]);
        var record = Report(backup, new CallOutcome.Completed("{}"), Now + After + TimeSpan.FromSeconds(1)).ShouldBeOfType<ReportVerdict.Record>().FileRecord;

        (record.Status, record.Attempts, record.Machine).ShouldBe((FileStatus.Done, 2, "gpu-b"));
        record.History!.Select(h => (h.Attempt, h.Outcome)).ShouldBe([(2, AttemptOutcome.Done), (1, AttemptOutcome.Superseded)]);
        record.History![1].Error.ShouldBe("superseded: attempt 2 on gpu-b answered first");
        _dispatcher.TakeCancellations().ShouldBe([new StageDispatcher<string>.Cancellation("w-a", 1, 1)]);
        _dispatcher.TakeCancellations().ShouldBeEmpty("taken once");
        Report(first, new CallOutcome.Superseded("cancelled")).ShouldBeOfType<ReportVerdict.Stale>("the cancelled call's report no longer matters");
        _dispatcher.InFlight.ShouldBe(0);
    }

    [Fact]
    public void Should_cancel_the_backup_when_the_straggler_answers_first()
    {
        Enqueue(1);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        var first = _dispatcher.Assign(Now).Single();
        _dispatcher.Offer("w-b", "gpu-b", 1);
        var backup = _dispatcher.Assign(Now + After).Single();

        var record = Report(first, new CallOutcome.Completed("{}"), Now + After + TimeSpan.FromSeconds(1)).ShouldBeOfType<ReportVerdict.Record>().FileRecord;

        (record.Attempts, record.Machine).ShouldBe((1, "gpu-a"));
        _dispatcher.TakeCancellations().ShouldBe([new StageDispatcher<string>.Cancellation("w-b", 1, 2)]);
        Report(backup, new CallOutcome.Superseded("cancelled")).ShouldBeOfType<ReportVerdict.Stale>();
    }

    [Fact]
    public void Should_wait_for_the_other_attempt_when_one_fails_transiently()
    {
        Enqueue(1);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        var first = _dispatcher.Assign(Now).Single();
        _dispatcher.Offer("w-b", "gpu-b", 1);
        var backup = _dispatcher.Assign(Now + After).Single();

        Report(backup, new CallOutcome.TransientFailure("HTTP 503 from gpu-b")).ShouldBeOfType<ReportVerdict.Stale>("the first call may yet answer");
        _dispatcher.Queued.ShouldBe(0, "no retry while a call at the file runs");
        var record = Report(first, new CallOutcome.Completed("{}")).ShouldBeOfType<ReportVerdict.Record>().FileRecord;

        record.History!.Select(h => (h.Attempt, h.Outcome)).ShouldBe([(2, AttemptOutcome.TransientFailure), (1, AttemptOutcome.Done)]);
        _dispatcher.TakeCancellations().ShouldBeEmpty();
    }

    [Fact]
    public void Should_not_back_up_while_files_are_ready_nor_on_the_stragglers_own_machine()
    {
        Enqueue(1, 2);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        _dispatcher.Assign(Now).Single();
        _dispatcher.Offer("w-a2", "gpu-a", 1);

        _dispatcher.Assign(Now + After).Single().File.FileId.ShouldBe(2, "a ready file takes the free slot, not a backup");
        _dispatcher.Offer("w-a3", "gpu-a", 1);
        _dispatcher.Assign(Now + 2 * After).ShouldBeEmpty("only gpu-a has a free slot, and both calls run there");
    }

    [Fact]
    public void Should_make_no_more_backups_than_the_stages_share_of_its_calls()
    {
        var dispatcher = new StageDispatcher<string>(Stt("speculate-after = 5s, speculate-max = 0.1"));
        foreach (var id in Enumerable.Range(1, 20)) dispatcher.Enqueue(File(id));
        dispatcher.Offer("w-a", "gpu-a", 20);
        dispatcher.Assign(Now).Count.ShouldBe(20);
        dispatcher.Offer("w-b", "gpu-b", 20);

        var backups = dispatcher.Assign(Now + After);

        backups.Count.ShouldBe(2, "10 % of 20 calls");
        backups.Select(b => b.File.FileId).ShouldBe([1, 2], "the longest running first");
        dispatcher.Speculated.ShouldBe((2, 22));
    }

    [Fact]
    public void Should_take_three_times_the_p95_call_time_and_at_least_two_seconds_when_left_to_itself()
    {
        var dispatcher = new StageDispatcher<string>(Stt("speculate-after = auto"));
        // 3 of the 40 calls took 1 s, the rest 100 ms: the p95 is 1 s, so a backup after 3 s.
        Complete(dispatcher, 40, i => i < 3 ? 1000 : 100);
        var last = dispatcher.Assign(Now).Single();
        dispatcher.Offer("w-b", "gpu-b", 1);

        dispatcher.Assign(Now + TimeSpan.FromMilliseconds(2999)).ShouldBeEmpty();
        dispatcher.Assign(Now + TimeSpan.FromSeconds(3)).Single().BackupOf.ShouldBe(last.Attempt);
    }

    [Fact]
    public void Should_wait_at_least_two_seconds_however_quick_the_calls_are()
    {
        var dispatcher = new StageDispatcher<string>(Stt("speculate-after = auto"));
        Complete(dispatcher, 20, _ => 10);
        dispatcher.Assign(Now).Single();
        dispatcher.Offer("w-b", "gpu-b", 1);

        dispatcher.Assign(Now + TimeSpan.FromMilliseconds(1999)).ShouldBeEmpty();
        dispatcher.Assign(Now + Speculation.Floor).ShouldHaveSingleItem();
    }

    [Fact]
    public void Should_keep_the_backup_going_when_the_stragglers_worker_is_lost()
    {
        Enqueue(1);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        _dispatcher.Assign(Now).Single();
        _dispatcher.Offer("w-b", "gpu-b", 1);
        var backup = _dispatcher.Assign(Now + After).Single();

        _dispatcher.Lose("w-a");

        (_dispatcher.InFlight, _dispatcher.Queued).ShouldBe((1, 0));
        Report(backup, new CallOutcome.Completed("{}")).ShouldBeOfType<ReportVerdict.Record>().FileRecord.Machine.ShouldBe("gpu-b");
        _dispatcher.TakeCancellations().ShouldBeEmpty();
    }

    [Fact]
    public void Should_count_the_calls_made_without_speculation_too()
    {
        var dispatcher = new StageDispatcher<string>(Stt("speculate-after = off"));
        foreach (var id in Enumerable.Range(1, 3)) dispatcher.Enqueue(File(id));
        dispatcher.Offer("w-a", "gpu-a", 3);
        dispatcher.Assign(Now).Count.ShouldBe(3);
        dispatcher.Offer("w-b", "gpu-b", 3);

        dispatcher.Assign(Now + TimeSpan.FromHours(1)).ShouldBeEmpty("no backups when speculation is off");
        dispatcher.Speculated.ShouldBe((0, 3));
    }

    [Fact]
    public void Should_read_off_as_no_speculation()
    {
        Stt("speculate-after = off").Speculation.ShouldBeNull();
        Stt("speculate-after = 4s, speculate-max = 0.02").Speculation.ShouldBe(new SpeculationSettings(TimeSpan.FromSeconds(4), 0.02));
        Should.Throw<InvalidConfigurationException>(() => Stt("speculate-after = soon")).Key.ShouldBe("cofi.pipeline.stage.stt.speculate-after");
    }

    private static StageSettings Stt(string speculation) =>
        CofiSettings.FromConfig(CofiConfig.Load(null, $"cofi.pipeline.stage.stt {{ max-attempts = 3, backoff-base = 100ms, {speculation} }}")).Pipeline["stt"];

    /// <summary>Runs <paramref name="count"/> calls on one machine, call i taking <paramref name="ms"/>(i), and leaves one more file ready.</summary>
    private static void Complete(StageDispatcher<string> dispatcher, int count, Func<int, long> ms)
    {
        foreach (var id in Enumerable.Range(1, count + 1)) dispatcher.Enqueue(File(id));
        dispatcher.Offer("w-a", "gpu-a", 1);
        for (var i = 0; i < count; i++)
        {
            var call = dispatcher.Assign(Now).Single();
            dispatcher.Report(call.Worker, new StageCommands.Report(call.File.FileId, call.Attempt, new CallOutcome.Completed("{}"), call.Machine, ms(i)), _ => false, Now, 0.5);
        }
    }

    private static FileWork File(int id) => new(id, $"call-{id}.wav", $"/in/call-{id}.wav", ImmutableDictionary<string, string>.Empty);

    private void Enqueue(params int[] ids)
    {
        foreach (var id in ids) _dispatcher.Enqueue(File(id));
    }

    private ReportVerdict Report(StageDispatcher<string>.Assignment call, CallOutcome outcome, DateTimeOffset? at = null) =>
        _dispatcher.Report(call.Worker, new StageCommands.Report(call.File.FileId, call.Attempt, outcome, call.Machine, 40), _ => false, at ?? Now, 0.5);
}
