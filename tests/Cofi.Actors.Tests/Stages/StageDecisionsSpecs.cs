using System.Collections.Immutable;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Stages;

public sealed class StageDecisionsSpecs
{
    private static readonly StageSettings Stt = CofiSettings.FromConfig(CofiConfig.Load(null,
        "cofi.pipeline.stage.stt { max-attempts = 3, backoff-base = 100ms, backoff-max = 1s }")).Pipeline["stt"];

    private static readonly FileWork File = new(7, "call-7.wav", "/in/call-7.wav", ImmutableDictionary<string, string>.Empty.Add("lid", """{"language":"en"}"""));

    private static Decision Decide(CallOutcome outcome, int attempt = 1, double jitter = 0.5) =>
        StageDecisions.Decide(Stt, File, attempt, outcome, "gpu-2", 42, jitter);

    [Fact]
    public void Should_record_a_completed_call_as_done_with_its_result()
    {
        var record = Decide(new CallOutcome.Completed("""{"transcript":"hi"}""")).ShouldBeOfType<Decision.Record>().FileRecord;

        record.ShouldBe(new FileRecord(7, "call-7.wav", FileStatus.Done, """{"transcript":"hi"}""", null, 1, "gpu-2", 42));
    }

    [Fact]
    public void Should_record_a_permanent_failure_with_its_reason()
    {
        var record = Decide(new CallOutcome.PermanentFailure("400: unreadable audio"), attempt: 2).ShouldBeOfType<Decision.Record>().FileRecord;

        (record.Status, record.Reason, record.Attempts).ShouldBe((FileStatus.Failed, "400: unreadable audio", 2));
    }

    [Fact]
    public void Should_retry_a_transient_failure_with_doubling_backoff()
    {
        Decide(new CallOutcome.TransientFailure("503"), attempt: 1).ShouldBe(new Decision.Retry(TimeSpan.FromMilliseconds(100)));
        Decide(new CallOutcome.TransientFailure("503"), attempt: 2).ShouldBe(new Decision.Retry(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void Should_spread_retries_with_jitter_between_half_and_one_and_a_half_times_the_backoff()
    {
        Decide(new CallOutcome.TransientFailure("503"), jitter: 0).ShouldBe(new Decision.Retry(TimeSpan.FromMilliseconds(50)));
        Decide(new CallOutcome.TransientFailure("503"), jitter: 1).ShouldBe(new Decision.Retry(TimeSpan.FromMilliseconds(150)));
    }

    [Fact]
    public void Should_honour_a_retry_after_from_the_service()
    {
        Decide(new CallOutcome.TransientFailure("429", TimeSpan.FromSeconds(3))).ShouldBe(new Decision.Retry(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void Should_fail_the_file_when_the_last_attempt_fails_transiently()
    {
        var record = Decide(new CallOutcome.TransientFailure("timeout"), attempt: 3).ShouldBeOfType<Decision.Record>().FileRecord;

        (record.Status, record.Reason).ShouldBe((FileStatus.Failed, "gave up after 3 attempts: timeout"));
    }

    [Fact]
    public void Should_cap_the_backoff()
    {
        Stt.BackoffBefore(20, 0.5).ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Should_skip_a_file_that_failed_upstream_naming_where()
    {
        var record = StageDecisions.PassThrough(File, new Disposition(FileStatus.Failed, "lid", "corrupt"));

        (record.Status, record.Reason).ShouldBe((FileStatus.Skipped, "failed at lid: corrupt"));
    }

    [Fact]
    public void Should_hand_on_the_result_with_the_earlier_ones()
    {
        var record = new FileRecord(7, "call-7.wav", FileStatus.Done, """{"t":1}""", null, 1, "gpu-1", 3);

        var next = StageDecisions.HandOn("stt", File, record);

        next.Results.Keys.ShouldBe(["lid", "stt"], ignoreOrder: true);
        next.IsActive.ShouldBeTrue();
    }

    [Fact]
    public void Should_hand_on_a_failed_file_with_its_disposition()
    {
        var record = new FileRecord(7, "call-7.wav", FileStatus.Failed, null, "bad", 1, "gpu-1", 3);

        StageDecisions.HandOn("stt", File, record).Disposition.ShouldBe(new Disposition(FileStatus.Failed, "stt", "bad"));
    }
}
