using System.Collections.Immutable;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Stages;

/// <summary>The stage's dispatching decisions, without an ActorSystem: workers are names, time is given.</summary>
public sealed class StageDispatcherSpecs
{
    private static readonly StageSettings Stt = CofiSettings.FromConfig(CofiConfig.Load(null,
        "cofi.pipeline.stage.stt { max-attempts = 3, backoff-base = 100ms, backoff-max = 1s }")).Pipeline["stt"];

    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly StageDispatcher<string> _dispatcher = new(Stt);

    [Fact]
    public void Should_hand_ready_files_to_free_slots_in_order_round_the_workers()
    {
        Enqueue(1, 2, 3);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        _dispatcher.Offer("w-b", "gpu-b", 1);

        var assigned = _dispatcher.Assign(Now);

        assigned.Select(a => (a.Worker, a.File.FileId, a.Attempt)).ShouldBe([("w-a", 1, 1), ("w-b", 2, 1)]);
        (_dispatcher.InFlight, _dispatcher.Queued).ShouldBe((2, 1));
        _dispatcher.Assign(Now).ShouldBeEmpty("no slot is free until a call reports");
    }

    [Fact]
    public void Should_give_a_reported_calls_slot_to_the_next_file_and_record_the_file()
    {
        Enqueue(1, 2);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        var first = _dispatcher.Assign(Now).Single();

        var verdict = Report(first, new CallOutcome.Completed("""{"transcript":"hi"}"""));

        var record = verdict.ShouldBeOfType<ReportVerdict.Record>().FileRecord;
        (record.FileId, record.Status, record.Result, record.Machine).ShouldBe((1, FileStatus.Done, """{"transcript":"hi"}""", "gpu-a"));
        record.History!.Single().Outcome.ShouldBe(AttemptOutcome.Done);
        _dispatcher.Assign(Now).Single().File.FileId.ShouldBe(2);
    }

    [Fact]
    public void Should_retry_a_transient_failure_later_on_another_machine_and_keep_every_attempt()
    {
        Enqueue(1);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        var first = _dispatcher.Assign(Now).Single();

        var retry = Report(first, new CallOutcome.TransientFailure("503")).ShouldBeOfType<ReportVerdict.Retry>();
        _dispatcher.Offer("w-b", "gpu-b", 1);

        _dispatcher.Assign(Now).ShouldBeEmpty("the retry waits for its backoff");
        _dispatcher.NextRetryDue.ShouldBe(Now + retry.After);
        var second = _dispatcher.Assign(Now + retry.After).Single();
        (second.Worker, second.Attempt).ShouldBe(("w-b", 2), "the file failed on gpu-a, and gpu-b takes work");
        var record = Report(second, new CallOutcome.Completed("{}"), Now + retry.After).ShouldBeOfType<ReportVerdict.Record>().FileRecord;
        record.History!.Select(h => (h.Machine, h.Outcome)).ShouldBe([("gpu-a", AttemptOutcome.TransientFailure), ("gpu-b", AttemptOutcome.Done)]);
    }

    [Fact]
    public void Should_retry_on_the_same_machine_when_no_other_takes_work()
    {
        Enqueue(1);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        var retry = Report(_dispatcher.Assign(Now).Single(), new CallOutcome.TransientFailure("503")).ShouldBeOfType<ReportVerdict.Retry>();

        _dispatcher.Assign(Now + retry.After).Single().Worker.ShouldBe("w-a");
    }

    [Fact]
    public void Should_put_a_lost_workers_calls_first_in_the_queue()
    {
        Enqueue(1, 2, 3);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        var lost = _dispatcher.Assign(Now).Single();

        _dispatcher.Lose("w-a");
        _dispatcher.Offer("w-b", "gpu-b", 1);

        (_dispatcher.InFlight, _dispatcher.Queued).ShouldBe((0, 3));
        var again = _dispatcher.Assign(Now).Single();
        (again.File.FileId, again.Attempt).ShouldBe((lost.File.FileId, 2));
        Report(lost, new CallOutcome.Completed("{}")).ShouldBe(ReportVerdict.Stale.Instance, "the lost worker's late report no longer counts");
    }

    [Fact]
    public void Should_take_a_declined_call_back_first_without_counting_an_attempt_or_a_slot()
    {
        Enqueue(1, 2);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        _dispatcher.Offer("w-b", "gpu-b", 1);
        var declined = _dispatcher.Assign(Now).First(a => a.Worker == "w-a");

        Report(declined, new CallOutcome.Declined("circuit of gpu-a is open")).ShouldBe(ReportVerdict.Declined.Instance);

        _dispatcher.Assign(Now).ShouldBeEmpty("a declined call hands no slot back: the machine withdrew it");
        _dispatcher.Offer("w-b", "gpu-b", 1);
        var again = _dispatcher.Assign(Now).Single();
        (again.Worker, again.File.FileId, again.Attempt).ShouldBe(("w-b", 1, 1));
    }

    [Fact]
    public void Should_hand_nothing_to_a_suspended_worker_until_it_resumes_with_its_free_slots()
    {
        Enqueue(1, 2, 3);
        _dispatcher.Offer("w-a", "gpu-a", 2);
        _dispatcher.Suspend("w-a");

        _dispatcher.Assign(Now).ShouldBeEmpty();
        _dispatcher.Resume("w-a", "gpu-a", 2);
        _dispatcher.Assign(Now).Count.ShouldBe(2);
    }

    [Fact]
    public void Should_ignore_a_report_for_a_file_already_settled()
    {
        Enqueue(1);
        _dispatcher.Offer("w-a", "gpu-a", 1);
        var call = _dispatcher.Assign(Now).Single();

        _dispatcher.Report("w-a", new StageCommands.Report(1, call.Attempt, new CallOutcome.Completed("{}"), "gpu-a", 5), _ => true, Now, 0.5)
            .ShouldBe(ReportVerdict.Stale.Instance);
        _dispatcher.Settle(1)!.FileId.ShouldBe(1);
        _dispatcher.Knows(1).ShouldBeFalse();
    }

    [Fact]
    public void Should_count_calls_in_flight_by_machine()
    {
        Enqueue(1, 2, 3);
        _dispatcher.Offer("w-a", "gpu-a", 2);
        _dispatcher.Offer("w-b", "gpu-b", 1);

        _dispatcher.Assign(Now);

        _dispatcher.BusyByMachine().ShouldBe(new Dictionary<string, int> { ["gpu-a"] = 2, ["gpu-b"] = 1 }, ignoreOrder: true);
    }

    [Fact]
    public void Should_hand_out_the_longest_recordings_first_when_the_stage_says_so_and_unknown_lengths_last()
    {
        var stt = CofiSettings.FromConfig(CofiConfig.Load(null, "cofi.pipeline.stage.stt.dispatch-order = longest-first")).Pipeline["stt"];
        var dispatcher = new StageDispatcher<string>(stt);
        foreach (var (id, seconds) in new (int, double?)[] { (1, 30), (2, null), (3, 600), (4, 95.5) })
            dispatcher.Enqueue(new FileWork(id, $"call-{id}.wav", $"/in/call-{id}.wav", ImmutableDictionary<string, string>.Empty, AudioSeconds: seconds));
        dispatcher.Offer("w-a", "gpu-a", 4);

        dispatcher.Assign(Now).Select(a => a.File.FileId).ShouldBe([3, 4, 1, 2]);
    }

    [Fact]
    public void Should_hand_out_files_as_they_came_by_default_whatever_their_length()
    {
        foreach (var (id, seconds) in new (int, double?)[] { (1, 30), (2, null), (3, 600) })
            _dispatcher.Enqueue(new FileWork(id, $"call-{id}.wav", $"/in/call-{id}.wav", ImmutableDictionary<string, string>.Empty, AudioSeconds: seconds));
        _dispatcher.Offer("w-a", "gpu-a", 3);

        _dispatcher.Assign(Now).Select(a => a.File.FileId).ShouldBe([1, 2, 3]);
    }

    [Fact]
    public void Should_quarantine_a_file_whose_calls_hang_on_three_different_machines_with_every_attempt_kept()
    {
        Enqueue(1);
        foreach (var machine in new[] { "gpu-a", "gpu-b", "gpu-c", "gpu-d" }) _dispatcher.Offer($"w-{machine}", machine, 1);
        var at = Now;
        ReportVerdict verdict = ReportVerdict.Stale.Instance;
        for (var round = 0; round < 3; round++)
        {
            var call = _dispatcher.Assign(at).Single();
            verdict = Report(call, new CallOutcome.TransientFailure($"timed out after 30 s on {call.Machine}"), at);
            if (verdict is ReportVerdict.Retry retry) at += retry.After;
        }

        var record = verdict.ShouldBeOfType<ReportVerdict.Record>().FileRecord;
        (record.Status, record.Quarantined).ShouldBe((FileStatus.Failed, true));
        record.Reason.ShouldStartWith("quarantined: timed out or dropped the connection on 3 machines (gpu-a, gpu-b, gpu-c)");
        record.History!.Select(h => h.Machine).ShouldBe(["gpu-a", "gpu-b", "gpu-c"]);
    }

    [Fact]
    public void Should_not_hold_a_refused_connection_or_a_server_error_against_the_file()
    {
        var stt = CofiSettings.FromConfig(CofiConfig.Load(null, "cofi.pipeline.stage.stt { max-attempts = 10, backoff-base = 1ms, backoff-max = 1ms }")).Pipeline["stt"];
        var dispatcher = new StageDispatcher<string>(stt);
        dispatcher.Enqueue(new FileWork(1, "call-1.wav", "/in/call-1.wav", ImmutableDictionary<string, string>.Empty));
        foreach (var machine in new[] { "gpu-a", "gpu-b", "gpu-c", "gpu-d" }) dispatcher.Offer($"w-{machine}", machine, 1);
        var at = Now;
        foreach (var reason in new[] { "could not reach gpu-a: ConnectionRefused: Connection refused", "HTTP 503 from gpu-b", "could not reach gpu-c: ConnectionRefused" })
        {
            var call = dispatcher.Assign(at).Single();
            var verdict = dispatcher.Report(call.Worker, new StageCommands.Report(1, call.Attempt, new CallOutcome.TransientFailure(reason), call.Machine, 5), _ => false, at, 0.5);
            at += verdict.ShouldBeOfType<ReportVerdict.Retry>().After;
        }
    }

    private void Enqueue(params int[] ids)
    {
        foreach (var id in ids) _dispatcher.Enqueue(new FileWork(id, $"call-{id}.wav", $"/in/call-{id}.wav", ImmutableDictionary<string, string>.Empty));
    }

    private ReportVerdict Report(StageDispatcher<string>.Assignment call, CallOutcome outcome, DateTimeOffset? at = null) =>
        _dispatcher.Report(call.Worker, new StageCommands.Report(call.File.FileId, call.Attempt, outcome, call.Machine, 40), _ => false, at ?? Now, 0.5);
}
