using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Logging;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Stages;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.ReadModel;

public sealed class EventWriterSpecs : IDisposable
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];
    private static readonly HashSet<string> Flagged = ["denoise", "ivr", "lid", "stt", "llm1", "llm2"];
    private readonly TempDirectory _dir = new();

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_flush_as_soon_as_a_group_is_full_and_keep_the_rest_until_the_interval(string kind)
    {
        using var db = new TestDatabase(kind);
        await using var host = await PipelineHost.StartAsync(db.Settings);
        var writer = Writer(host, db.Settings, "cofi.event-writer { flush-rows = 100, flush-interval = 1h }");

        for (var group = 0; group < 10; group++) writer.Tell(Outcomes(group + 1, group * 10, 10));

        // 100 file rows, a stage_start and a stage_progress fill a group: it goes at once, though the interval is an hour.
        await Eventually(async () => (await Stats(writer)).Flushes.ShouldBe(1));
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 77").ShouldBe(102);
        // Multi-row INSERTs of at most flush-rows rows, on both databases.
        (await Stats(writer)).LogStatements.ShouldBe(2);

        for (var group = 10; group < 14; group++) writer.Tell(Outcomes(group + 1, group * 10, 10));
        await Eventually(async () => (await Stats(writer)).Buffered.ShouldBeGreaterThan(0));
        await Task.Delay(500);

        (await Stats(writer)).Flushes.ShouldBe(1, "40 rows do not fill a group");
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 77").ShouldBe(102);
        var drained = await writer.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromSeconds(30));
        drained.Flushes.ShouldBe(2);
        drained.Buffered.ShouldBe(0);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 77").ShouldBe(142);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_flush_a_group_that_is_not_full_once_its_oldest_row_is_as_old_as_the_interval(string kind)
    {
        using var db = new TestDatabase(kind);
        await using var host = await PipelineHost.StartAsync(db.Settings);
        var writer = Writer(host, db.Settings, "cofi.event-writer { flush-rows = 10000, flush-interval = 400ms }");

        writer.Tell(Outcomes(1, 0, 5));
        writer.Tell(Outcomes(2, 5, 5));

        await Eventually(async () => (await Stats(writer)).Flushes.ShouldBeGreaterThan(0));
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 77").ShouldBe(11);
        var stats = await Stats(writer);
        stats.Flushes.ShouldBe(1, $"both events went in one group: {stats}");
        stats.LogStatements.ShouldBe(1);
        stats.LargestFlushDelay.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(390), "nothing filled the group: the interval flushed it");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_write_what_it_holds_when_the_system_shuts_down(string kind)
    {
        using var db = new TestDatabase(kind);
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 200, 1);
        // Neither the size nor the interval will flush during the batch: only the shutdown can.
        var host = await PipelineHost.StartAsync(db.Settings, "cofi.event-writer { flush-rows = 2500, flush-interval = 1h, high-water-mark = 100000 }");
        BatchFinished finished;
        try
        {
            finished = await host.RunAsync(input);
            (await Stats(host.EventWriter)).Flushes.ShouldBe(0);
            db.Count("SELECT COUNT(*) FROM batchExecutionLog").ShouldBe(0);
        }
        finally
        {
            await host.DisposeAsync();
        }

        await using var check = await PipelineHost.StartAsync(db.Settings, runBatches: false);
        var problems = await ReadModelComparison.DifferencesAsync(check.Journal(), db.Settings, finished.BatchId, Stages, Flagged);
        problems.ShouldBeEmpty(string.Join("\n", problems.Take(20)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_stay_exactly_once_when_a_second_writer_shares_the_database_and_the_first_dies_with_rows_unwritten(string kind)
    {
        using var db = new TestDatabase(kind);
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 400, 2);
        const string hocon = """
            cofi.event-writer { flush-rows = 50, flush-interval = 20ms, sweep-interval = 100ms }
            cofi.pipeline.stage { denoise.simulated.latency = 2ms, stt.simulated.latency = 2ms, llm1.simulated.latency = 2ms }
            """;
        await using var active = await PipelineHost.StartAsync(db.Settings, hocon);
        // A standby coordinator: its writer sees no event of its own, only the database.
        await using var standby = await PipelineHost.StartAsync(db.Settings, hocon, runBatches: false);
        var second = Writer(standby, db.Settings, hocon);

        var run = active.RunAsync(input);
        await Eventually(() => db.Count("SELECT COUNT(*) FROM batchExecutionLog").ShouldBeGreaterThan(400), TimeSpan.FromMinutes(1));
        // The active coordinator's writer dies with what it buffered; its actors go on recording.
        active.System.Stop(active.EventWriter);
        var finished = await run;

        await Eventually(async () =>
        {
            var problems = await ReadModelComparison.DifferencesAsync(active.Journal(), db.Settings, finished.BatchId, Stages, Flagged);
            problems.ShouldBeEmpty(string.Join("\n", problems.Take(20)));
        }, TimeSpan.FromMinutes(1));
        await second.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromSeconds(30));
        var problemsAfterDrain = await ReadModelComparison.DifferencesAsync(active.Journal(), db.Settings, finished.BatchId, Stages, Flagged);
        problemsAfterDrain.ShouldBeEmpty(string.Join("\n", problemsAfterDrain.Take(20)));
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE eventType = 'stage_start'").ShouldBe(Stages.Length);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE eventType = 'stage_complete'").ShouldBe(Stages.Length);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE eventType = 'stage_progress'").ShouldBe(Stages.Length * 4);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Kinds), MemberType = typeof(TestDatabase))]
    public async Task Should_pause_the_stages_once_the_rows_waiting_reach_the_high_water_mark_not_counting_the_flush_under_way(string kind)
    {
        using var db = new TestDatabase(kind);
        await using var host = await PipelineHost.StartAsync(db.Settings, runBatches: false);
        var pressure = host.TestKit().CreateTestProbe();
        host.System.EventStream.Subscribe(pressure.Ref, typeof(WriterPressure));
        var writer = Writer(host, db.Settings,
            "cofi.event-writer { flush-rows = 10, flush-interval = 1h, high-water-mark = 100, retry-backoff-min = 100ms, retry-backoff-max = 100ms }");
        // The database refuses every flush: the execution log's table is gone.
        using (var connection = db.Settings.ReadModel.OpenRawConnection()) ReadModelComparison.Scalar(connection, "DROP TABLE batchExecutionLog");

        // 60 files: 182 rows (log, attempts, distribution flags, batch), flushed at once and failing.
        writer.Tell(Outcomes(1, 0, 60));
        await Eventually(async () => (await Stats(writer)).FailedFlushes.ShouldBeGreaterThan(0));
        // 61 more rows wait behind them: 243 held, 61 waiting.
        writer.Tell(Outcomes(2, 60, 20));
        pressure.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        writer.Tell(Outcomes(3, 80, 20));

        var paused = pressure.ExpectMsg<WriterPressure>(TimeSpan.FromSeconds(10));
        paused.Behind.ShouldBeTrue();
        paused.Buffered.ShouldBe(122, "the rows waiting, not those of the flush under way");
        (await Stats(writer)).Pauses.ShouldBe(1);

        ReadModelSchema.Create(db.Settings, CofiSettings.FromConfig(CofiConfig.Load()).Pipeline);
        // While it is behind, each retry tells the stages again; once the group goes in, they hear that it caught up.
        pressure.FishForMessage<WriterPressure>(p => !p.Behind, TimeSpan.FromSeconds(30));
        var drained = await writer.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromSeconds(30));
        drained.Pauses.ShouldBe(1);
        db.Count("SELECT COUNT(*) FROM batchExecutionLog WHERE batchId = 77").ShouldBe(102, "100 files, a stage_start and a stage_progress");
    }

    private static IActorRef Writer(PipelineHost host, DatabaseSettings db, string hocon)
    {
        var config = CofiConfig.Load(null, hocon);
        var pipeline = CofiSettings.FromConfig(config).Pipeline;
        var settings = EventWriterSettings.FromConfig(config, _ => null);
        var store = new ReadModelStore(db, pipeline, settings.FlushRows);
        ReadModelSchema.Create(db, pipeline);
        return host.System.ActorOf(EventWriter.Props(store, new ReadModelOptions(pipeline, false, 100), settings), $"event-writer-{Guid.NewGuid():N}");
    }

    /// <summary>Event <paramref name="sequenceNr"/> of a denoise stage that no actor runs: <paramref name="count"/> files done.</summary>
    private static JournalRecorded Outcomes(long sequenceNr, int firstFile, int count)
    {
        var at = DateTimeOffset.UtcNow;
        var records = Enumerable.Range(firstFile, count)
            .Select(i => new FileRecord(i, $"call-{i:D5}.wav", FileStatus.Done, "{}", null, 1, "gpu-1", 3,
                [new AttemptRecord(1, "gpu-1", AttemptOutcome.Done, null, 3, at)]))
            .ToList();
        return new JournalRecorded("batch-77-stage-denoise", sequenceNr, new StageEvents.OutcomesRecorded(77, "denoise", records, at));
    }

    private static Task<EventWriterStats> Stats(IActorRef writer) => writer.Ask<EventWriterStats>(EventWriterCommands.GetStats.Instance, TimeSpan.FromSeconds(10));

    private static Task Eventually(Action assertion, TimeSpan? timeout = null) => Eventually(() =>
    {
        assertion();
        return Task.CompletedTask;
    }, timeout);

    private static async Task Eventually(Func<Task> assertion, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public void Dispose() => _dir.Dispose();
}
