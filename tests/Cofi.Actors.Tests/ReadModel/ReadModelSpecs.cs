using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.ReadModel;

public sealed class ReadModelSpecs : IDisposable
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];
    private static readonly HashSet<string> Flagged = ["denoise", "ivr", "lid", "stt", "llm1", "llm2"];
    private const string OperatorsQuery = "SELECT eventType, COUNT(*) FROM batchExecutionLog WHERE batchId = (SELECT MAX(id) FROM batchStatus) GROUP BY eventType";
    private readonly TempDirectory _dir = new();

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public void Should_create_the_schema_twice_in_a_row_and_answer_the_operators_query(string kind)
    {
        using var db = new TestDatabase(kind);
        var pipeline = CofiSettings.FromConfig(CofiConfig.Load()).Pipeline;

        ReadModelSchema.Create(db.Settings, pipeline);
        ReadModelSchema.Create(db.Settings, pipeline);

        db.Rows(OperatorsQuery).ShouldBeEmpty();
        db.Count("SELECT COUNT(*) FROM batchStatus WHERE triagingStatus IS NULL AND denoiseStatus IS NULL").ShouldBe(0);
        db.Count("SELECT COUNT(*) FROM fileDistribution WHERE denoiseDone = 1 AND ivrDone = 1 AND lidDone = 1 AND sttDone = 1 AND llm1Done = 1 AND llm2Done = 1").ShouldBe(0);
        db.Count("SELECT COUNT(*) FROM processing_logs WHERE call_id = 'x' AND batch_id = 1 AND stage_name = 'stt' AND status = 'failed' AND error_message IS NULL AND input_payload IS NULL AND output_payload IS NULL").ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public void Should_add_a_new_stage_column_to_existing_tables(string kind)
    {
        using var db = new TestDatabase(kind);
        var pipeline = CofiSettings.FromConfig(CofiConfig.Load()).Pipeline;
        ReadModelSchema.Create(db.Settings, pipeline with { Stages = pipeline.Stages.Where(s => s.Name != "llm2").ToList() });
        Should.Throw<Exception>(() => db.Count("SELECT COUNT(*) FROM fileDistribution WHERE llm2Done = 1"));

        ReadModelSchema.Create(db.Settings, pipeline);

        db.Count("SELECT COUNT(*) FROM fileDistribution WHERE llm2Done = 1").ShouldBe(0);
        db.Count("SELECT COUNT(*) FROM batchStatus WHERE llm2Status IS NOT NULL").ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_agree_with_the_journal_row_for_row_after_a_batch(string kind)
    {
        using var db = new TestDatabase(kind);
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 300, 3);
        const string faults = """
            cofi.simulated.faults {
              flaky { stage = denoise, files = ["call-00010.wav", "call-00011.wav"], kind = transient, times = 2 }
              broken { stage = ivr, files = ["call-00020.wav"], kind = permanent }
            }
            """;
        await using var host = await PipelineHost.StartAsync(db.Settings, faults);

        var finished = await host.RunAsync(input);
        await host.DrainEventWriterAsync();

        finished.Status.ShouldBe(BatchStatus.Completed);
        var problems = await ReadModelComparison.DifferencesAsync(host.Journal(), db.Settings, finished.BatchId, Stages, Flagged);
        problems.ShouldBeEmpty(string.Join("\n", problems.Take(20)));
        var byType = db.Rows(OperatorsQuery).ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1]));
        byType["file_complete"].ShouldBe(300 * 9 - 3 - 1);
        byType["file_error"].ShouldBe(3 + 1, "three corrupt inputs at distribution, one permanent failure at ivr");
        byType["stage_start"].ShouldBe(9);
        byType["stage_complete"].ShouldBe(9);
        byType["stage_progress"].ShouldBe(9 * 3, "every 100 of 300 files per stage");
        byType.ShouldNotContainKey("file_start");
        db.Count("SELECT COUNT(*) FROM processing_logs WHERE call_id = 'call-00010.wav' AND stage_name = 'denoise'").ShouldBe(3, "two transient failures, then done");
        db.Count("SELECT COUNT(*) FROM processing_logs WHERE call_id = 'call-00010.wav' AND stage_name = 'denoise' AND status = 'retry'").ShouldBe(2);
        db.Count("SELECT COUNT(*) FROM processing_logs WHERE call_id = 'call-00020.wav' AND stage_name = 'ivr' AND status = 'failed' AND error_message IS NOT NULL").ShouldBe(1);
        db.Count($"SELECT COUNT(*) FROM batchStatus WHERE id = {finished.BatchId} AND status = 'completed' AND totalFiles = 300 AND processedFiles = 300 AND failedFiles = 4 AND triagingStatus = 'completed' AND metadataStatus = 'completed'").ShouldBe(1);
        db.Count($"SELECT COUNT(*) FROM fileDistribution WHERE batchId = {finished.BatchId} AND ip LIKE 'gpu-%'").ShouldBe(297);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_write_file_start_events_and_progress_at_the_configured_interval_when_asked(string kind)
    {
        using var db = new TestDatabase(kind);
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 50, 0);
        var environment = new Dictionary<string, string> { ["LOG_FILE_START_EVENTS"] = "true", ["PROGRESS_UPDATE_INTERVAL"] = "7" };
        await using var host = await PipelineHost.StartAsync(db.Settings, "", environment: v => environment.GetValueOrDefault(v));

        var finished = await host.RunAsync(input);
        await host.DrainEventWriterAsync();

        var byType = db.Rows(OperatorsQuery).ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1]));
        byType["stage_progress"].ShouldBe(9 * (50 / 7));
        byType["file_start"].ShouldBe(db.Count($"SELECT COUNT(*) FROM processing_logs WHERE batch_id = {finished.BatchId}"), "one file_start per attempt");
        byType["file_start"].ShouldBeGreaterThan(50 * 3);
    }

    public void Dispose() => _dir.Dispose();
}
