using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Pipeline;

public sealed class FullPipelineSpecs : IDisposable
{
    private static readonly string[] ModelStages = ["denoise", "ivr", "lid", "stt", "llm1", "llm2"];
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_take_200_files_through_all_nine_stages_and_record_each_once()
    {
        var input = Path.Combine(_dir.Path, "input");
        var corrupt = SampleBatch.Generate(input, 200, 2);
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"));

        var finished = await host.RunAsync(input);

        finished.Status.ShouldBe(BatchStatus.Completed);
        finished.Stages.Select(s => s.Stage).ShouldBe(["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"]);
        finished.Stages.ShouldAllBe(s => s.Settled == 200);
        finished.Stages[0].Done.ShouldBe(198);
        finished.Stages[0].Failed.ShouldBe(2);
        var triage = finished.Stages.Single(s => s.Stage == "triage");
        triage.Skipped.ShouldBeGreaterThan(2, "IVR recordings and unsupported languages are skipped by the default rules");
        finished.Stages.Single(s => s.Stage == "stt").Skipped.ShouldBe(triage.Skipped);
        finished.Stages[^1].Done.ShouldBe(200, "metadata writes a final row for every file");

        // No fault was injected: every model stage called every valid, untriaged file exactly once.
        var calls = host.Calls.Records.GroupBy(c => (c.Stage, c.File)).ToList();
        calls.ShouldAllBe(g => g.Count() == 1);
        host.Calls.Records.Count(c => c.Stage == "denoise").ShouldBe(198);
        host.Calls.Records.Count(c => c.Stage == "llm2").ShouldBe(200 - triage.Skipped);

        var journal = host.Journal();
        foreach (var stage in finished.Stages)
        {
            var recorded = await journal.RecordedAsync(finished.BatchId, stage.Stage);
            recorded.Count.ShouldBe(200, $"{stage.Stage} records each file once");
            recorded.Select(r => r.FileId).Distinct().Count().ShouldBe(200);
        }
        var final = await journal.StageRecordsAsync(finished.BatchId, "metadata");
        var corruptRow = JsonDocument.Parse(final.Values.Single(r => r.Name == corrupt[0]).Result!).RootElement;
        corruptRow.GetProperty("status").GetString().ShouldBe("failed");
        corruptRow.GetProperty("stage").GetString().ShouldBe("distribution");
        var good = final.Values.First(r => SampleFiles.PassesTriage(r.Name) && !corrupt.Contains(r.Name));
        var goodRow = JsonDocument.Parse(good.Result!).RootElement;
        goodRow.GetProperty("status").GetString().ShouldBe("completed");
        goodRow.GetProperty("results").EnumerateObject().Select(p => p.Name)
            .ShouldBe(["denoise", "distribution", "ivr", "lid", "llm1", "llm2", "stt", "triage"], ignoreOrder: true);
    }

    [Fact]
    public async Task Should_fail_a_file_permanently_at_its_stage_and_skip_it_after_while_the_batch_goes_on()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 60, 0);
        var passing = SampleFiles.Passing(60).ToList();
        var (broken, flaky) = (passing[0], passing[1]);
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), $$"""
            cofi.simulated.faults {
              broken-lid { stage = lid, files = ["{{broken}}"], kind = permanent }
              flaky-stt { stage = stt, files = ["{{flaky}}"], kind = transient, times = 2 }
            }
            """);

        var finished = await host.RunAsync(input);

        finished.Status.ShouldBe(BatchStatus.Completed);
        var journal = host.Journal();
        var lid = await journal.StageRecordsAsync(finished.BatchId, "lid");
        var failed = lid.Values.Single(r => r.Name == broken);
        failed.Status.ShouldBe(FileStatus.Failed);
        failed.Reason!.ShouldContain("simulated permanent fault 'broken-lid'");
        foreach (var later in new[] { "triage", "stt", "llm1", "llm2" })
        {
            var record = (await journal.StageRecordsAsync(finished.BatchId, later)).Values.Single(r => r.Name == broken);
            record.Status.ShouldBe(FileStatus.Skipped);
            record.Reason.ShouldStartWith("failed at lid:");
        }
        host.Calls.Records.ShouldNotContain(c => c.File == broken && c.Stage == "stt");

        var stt = (await journal.StageRecordsAsync(finished.BatchId, "stt")).Values.Single(r => r.Name == flaky);
        stt.Status.ShouldBe(FileStatus.Done);
        stt.Attempts.ShouldBe(3);
        host.Calls.Records.Where(c => c.File == flaky && c.Stage == "stt").Select(c => c.Outcome)
            .ShouldBe(["transient", "transient", "completed"]);
        finished.Stages.ShouldAllBe(s => s.Settled == 60);
    }

    [Fact]
    public async Task Should_fail_a_file_whose_transient_failures_outlast_its_attempts()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 20, 0);
        var stubborn = SampleFiles.Passing(20).First();
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), $$"""
            cofi.pipeline.stage.llm1.max-attempts = 3
            cofi.simulated.faults.down { stage = llm1, files = ["{{stubborn}}"], kind = transient, times = 10 }
            """);

        var finished = await host.RunAsync(input);

        var record = (await host.Journal().StageRecordsAsync(finished.BatchId, "llm1")).Values.Single(r => r.Name == stubborn);
        record.Status.ShouldBe(FileStatus.Failed);
        record.Reason.ShouldStartWith("gave up after 3 attempts:");
        host.Calls.Records.Count(c => c.File == stubborn && c.Stage == "llm1").ShouldBe(3);
        finished.Stages.Single(s => s.Stage == "llm1").Failed.ShouldBe(1);
    }

    [Fact]
    public async Task Should_skip_the_rest_of_the_pipeline_for_files_triage_turns_away_with_the_rule_as_reason()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 100, 0);
        var ivr = Enumerable.Range(1, 100).Select(SampleFiles.Name).First(SampleFiles.IsIvr);
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"));

        var finished = await host.RunAsync(input);

        var journal = host.Journal();
        var triage = (await journal.StageRecordsAsync(finished.BatchId, "triage")).Values.Single(r => r.Name == ivr);
        triage.Status.ShouldBe(FileStatus.Skipped);
        triage.Reason.ShouldBe("IVR menu recording, no conversation (rule ivr-menu)");
        foreach (var later in new[] { "stt", "llm1", "llm2" })
            (await journal.StageRecordsAsync(finished.BatchId, later)).Values.Single(r => r.Name == ivr).Reason
                .ShouldBe("IVR menu recording, no conversation (rule ivr-menu)");
        host.Calls.Records.ShouldNotContain(c => c.File == ivr && (c.Stage == "stt" || c.Stage == "llm1"));
        var final = (await journal.StageRecordsAsync(finished.BatchId, "metadata")).Values.Single(r => r.Name == ivr);
        JsonDocument.Parse(final.Result!).RootElement.GetProperty("status").GetString().ShouldBe("skipped");
    }

    [Fact]
    public async Task Should_finish_every_file_at_a_stage_before_the_next_starts_in_barrier_mode()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 80, 0);
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), Latency(3) + "cofi.pipeline.mode = barrier");

        await host.RunAsync(input);

        foreach (var (stage, next) in ModelStages.Zip(ModelStages.Skip(1)))
        {
            var lastFinish = host.Calls.Records.Where(c => c.Stage == stage).Max(c => c.FinishedAt);
            var firstStart = host.Calls.Records.Where(c => c.Stage == next).Min(c => c.StartedAt);
            firstStart.ShouldBeGreaterThanOrEqualTo(lastFinish, $"{next} started before {stage} finished");
        }
    }

    [Fact]
    public async Task Should_move_files_on_as_soon_as_they_finish_a_stage_in_streaming_mode()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 200, 0);
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), Latency(5) + "cofi.pipeline.mode = streaming");

        await host.RunAsync(input);

        var lastDenoise = host.Calls.Records.Where(c => c.Stage == "denoise").Max(c => c.FinishedAt);
        var firstLid = host.Calls.Records.Where(c => c.Stage == "lid").Min(c => c.StartedAt);
        firstLid.ShouldBeLessThan(lastDenoise, "in streaming mode lid works on early files while denoise is still busy");
    }

    private static string Latency(int ms) =>
        string.Concat(ModelStages.Select(s => $"cofi.pipeline.stage.{s}.simulated {{ latency = {ms}ms, spread = 1ms }}\n"));

    public void Dispose() => _dir.Dispose();
}
