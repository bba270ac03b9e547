using System.Collections.Immutable;
using System.Runtime.Serialization;
using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Serialization;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Distribution;
using Cofi.Actors.Executors;
using Cofi.Actors.Gpu;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Progress;
using Cofi.Actors.Serialization;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Serialization;

public sealed class CofiSerializerSpecs() : Akka.TestKit.Xunit2.TestKit(CofiConfig.Defaults)
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-23T10:00:00.123456Z");
    private static readonly FileRecord Record = new(4, "llamada ñ 'x'.wav", FileStatus.Failed, null, "bad header", 2, "gpu-3", 17);
    private static readonly StageCounts Counts = new(9, "stt", 10, 1, 2, 0, 0, 13, true);

    private IEnumerable<ICofiMessage> Samples() => [
        new FileWork(4, "a.wav", "/in/a.wav", ImmutableDictionary<string, string>.Empty.Add("lid", """{"language":"en"}"""),
            new Disposition(FileStatus.Skipped, "triage", "IVR")),
        new StageEvents.OutcomesRecorded(9, "stt", [Record, Record with { FileId = 5, Status = FileStatus.Done, Result = "{}" }], At),
        new StageEvents.StageCompleted(9, "stt", 10, 1, 2, At),
        new StageEvents.OutcomesRecorded(9, "stt", [Record with
        {
            History = [new AttemptRecord(1, "127.0.0.2", AttemptOutcome.TransientFailure, "127.0.0.2 answered HTTP 503", 31, At, 503,
                    LoggedBody.Keep("{\"file\":{\"name\":\"a\"}}", 8), "busy"),
                new AttemptRecord(2, "127.0.0.3", AttemptOutcome.TransientFailure, "no answer", 12, At)],
        }], At),
        new StageEvents.FilesRequeued(9, "stt", [4, 5], At),
        new BatchEvents.RetryRequested(9, At),
        new BatchEvents.RetryStarted(9, 2, At),
        new BatchEvents.MachineAdded("gpu-b.local", At),
        new BatchEvents.MachineRemoved("gpu-b.local", At),
        new BatchEvents.PriorityChanged(9, 42, At),
        new BatchEvents.RetryRequested(9, At, "stt"),
        new StageSnapshot([SettledFile.Of(Record)], true),
        new DistributionEvents.FilesScanned(9, "distribution", [new InputFile(0, "a.wav", "/in/a.wav", 1024, AudioFormat.Wav, null), new InputFile(1, "b", "/in/b", 0, null, "empty file (0 bytes)")], At),
        new DistributionEvents.ScanCompleted(9, "distribution", 2, 1, At),
        new DistributionEvents.ScanFailed(9, "distribution", "input not found: /in", At),
        new DistributionSnapshot([new InputFile(0, "a.wav", "/in/a.wav", 1024, AudioFormat.Flac, null)], false, null),
        new BatchEvents.Submitted(9, "/in", At),
        new BatchEvents.Submitted(9, "/in", At, "march calls", -5, new Dictionary<string, string> { ["team"] = "sales" }, "key-1", "c0ffee"),
        new BatchEvents.ResumedBySubmit(9, "key-2", "c0ffee", At),
        new BatchEvents.Started(9, At),
        new BatchEvents.Finished(9, BatchStatus.Completed, null, [Counts], At),
        new BatchEvents.Paused(9, At),
        new BatchEvents.Resumed(9, At),
        BatchManagerState.Empty.Apply(new BatchEvents.Submitted(9, "/in", At)).Apply(new BatchEvents.Finished(9, BatchStatus.Failed, "no valid input file", [Counts], At))
            .Apply(new BatchEvents.RetryRequested(9, At)).Apply(new BatchEvents.MachineAdded("10.0.0.7", At))
            .Apply(new BatchEvents.Submitted(10, "/in/b", At, "b", 3, new Dictionary<string, string> { ["team"] = "sales" }, "key-1", "c0ffee"))
            .Apply(new BatchEvents.ResumedBySubmit(10, "key-2", "c0ffee", At))
            .Apply(new BatchEvents.PriorityChanged(10, 9, At)).Apply(new BatchEvents.MachineRemoved("gpu-9", At))
            .Apply(new BatchEvents.Submitted(11, "/in/c", At)).Apply(new BatchEvents.Purged(11, At)),
        new BatchCommands.Purge(9),
        new BatchEvents.Purged(9, At),
        new BatchEvents.PurgeCompleted(9, At),
        new BatchReplies.PurgeReport(9, new Dictionary<string, long> { ["journal"] = 412, ["batchExecutionLog"] = 1210 }),
        new BatchReplies.PurgeFailed(9, "database unavailable"),
        new BatchCommands.Prune(At, DryRun: true, ChunkRows: 100),
        new BatchReplies.PruneReport(At, false, [new BatchSummary(9, "/in/a", BatchStatus.Completed, null, At, At, At)],
            new Dictionary<string, long> { ["journal"] = 412 }, new Dictionary<string, long> { ["batchExecutionLog"] = 3 }),
        new StageCommands.Admit([Work]),
        new StageCommands.UpstreamCompleted(12),
        new StageCommands.Pull(TestActor, "gpu-7", 4),
        new StageCommands.Report(4, 2, new CallOutcome.TransientFailure("503", TimeSpan.FromSeconds(2)), "gpu-7", 33),
        new StageCommands.Report(4, 3, new CallOutcome.Completed("""{"ok":true}"""), "gpu-7", 33),
        StageQueries.GetCounts.Instance,
        StageCommands.Pause.Instance,
        StageCommands.Unpause.Instance,
        StageCommands.Hold.Instance,
        new GpuWorkerCommands.Run(new StageCall(9, "stt", Work, 1, "gpu-7"), TestActor),
        new GpuWorkerCommands.Reattach("stt", TestActor),
        new GpuWorkerCommands.StageFinished("stt"),
        new GpuWorkerCommands.Rerank(50, 2),
        new GpuWorkerCommands.Cancel("stt", 7, 2),
        new BatchCommands.AddMachine("10.0.0.8"),
        new BatchCommands.Submit("/in", true, "calls", 5, new Dictionary<string, string> { ["team"] = "sales" }, "key-1", Again: false),
        new BatchCommands.AwaitCompletion(9),
        new BatchCommands.Pause(9),
        new BatchCommands.Resume(9),
        new BatchCommands.Cancel(9),
        new BatchCommands.RetryFailed(9),
        new BatchCommands.Hold(TimeSpan.FromSeconds(30)),
        new BatchCommands.RetryFailed(9, "stt"),
        new BatchCommands.SetPriority(9, -7),
        new BatchCommands.SetPriority(9, null, 2.5),
        new BatchCommands.RemoveMachine("10.0.0.8"),
        BatchQueries.GetBatches.Instance,
        new BatchQueries.GetStatus(9),
        new BatchQueries.GetStragglers(9, 20),
        new StageQueries.GetStragglers(20),
        new BatchStragglers(9, [new Straggler("stt", 4, "llamada ñ 'x'.wav", 2, "gpu-7", At, 3100, SpeculationState.BackedUp)],
            [new StageSpeculation("stt", 1, 40)]),
        new BatchReplies.Accepted(9, false, Replayed: true),
        new BatchReplies.SubmitKeyConflict("key-1", 9),
        new BatchReplies.AlreadyCompleted(new BatchSummary(9, "/in", BatchStatus.Completed, null, At, At, At, "calls", 5), [Counts]),
        new BatchReplies.List([new BatchSummary(9, "/in", BatchStatus.Running, null, At, At, null, Labels: new Dictionary<string, string> { ["team"] = "sales" })]),
        new BatchReplies.Status(new BatchSummary(9, "/in", BatchStatus.Running, null, At, At, null), [Counts]),
        new BatchFinished(9, BatchStatus.Cancelled, "cancelled by an operator", [Counts], At),
        new BatchReplies.NotFound(9),
        new BatchReplies.ControlRefused(9, "batch 9 is not running"),
        new BatchUpdated(new BatchSummary(9, "/in", BatchStatus.Paused, null, At, At, null)),
        new BatchReplies.RetryFailedAccepted(9, true),
        new BatchReplies.MachineAccepted("10.0.0.8", 1),
        new BatchReplies.MachineRejected("10.0.0.8", "already serves the pipeline"),
        new BatchReplies.MachineWithdrawn("10.0.0.8", 2),
        new StageCommands.Suspend(TestActor),
        new StageCommands.Resume(TestActor, "gpu-7", 3),
        new StageCommands.Requeue([4, 5]),
        StageQueries.GetFailed.Instance,
        new StageCommands.Report(4, 1, new CallOutcome.Declined("circuit of gpu-7 is open"), "gpu-7", 0),
        new StageCommands.Report(4, 2, new CallOutcome.Superseded("cancelled on gpu-7: another attempt answered first"), "gpu-7", 1200),
        new StageCommands.Report(4, 2, new CallOutcome.TransientFailure("HTTP 429", TimeSpan.FromSeconds(1))
        {
            Attempts = [new AttemptRecord(2, "127.0.0.2", AttemptOutcome.TransientFailure, "HTTP 429", 40, At, 429, "{}", "{\"detail\":\"slow down\"}")],
        }, "127.0.0.2", 41),
        new StageCommands.Withdraw(TestActor),
        new StageCommands.NodeLost("akka.tcp://cofi@10.1.2.3:4053"),
        new GpuNodeCommands.Attach(9, new Dictionary<string, IActorRef> { ["stt"] = TestActor, ["lid"] = TestActor }, TestActor, 50, 2),
        new GpuNodeCommands.Rerank(9, -10, 1),
        GpuNodeCommands.Drain.Instance,
        new GpuNodeDrained("gpu-a", 2),
        new ProgressRelay.Stage(new StageProgress(Counts, At, [Record], new Dictionary<string, int> { ["gpu-3"] = 2 })),
        new ProgressRelay.Batch(new BatchUpdated(new BatchSummary(9, "/in", BatchStatus.Paused, null, At, At, null))),
        new ProgressRelay.Forgotten(new BatchForgotten(9)),
        new MachineCircuitChanged(9, "gpu-a", "Open", At),
        new ProgressRelay.Circuit(new MachineCircuitChanged(9, "gpu-a", "HalfOpen", At)),
        new BatchForgotten(9),
        new GpuNodeCommands.Leave("gpu-a"),
        new GpuNodeIdentity("gpu-a", "akka.tcp://cofi@10.0.0.7:4053", true),
        GpuNodeQueries.Describe.Instance,
        new GpuMachineInfo("gpu-a", "half_open", new Dictionary<string, int> { ["stt"] = 2 }, new Dictionary<string, int> { ["stt"] = 1 }),
        new GpuNodeInfo("gpu-a", "akka.tcp://cofi@10.0.0.7:4053", false,
            [new GpuMachineInfo("gpu-a", "closed", new Dictionary<string, int> { ["stt"] = 2 }, new Dictionary<string, int> { ["stt"] = 0 })]),
    ];

    private static readonly FileWork Work = new(4, "a.wav", "/in/a.wav", ImmutableDictionary<string, string>.Empty.Add("lid", """{"language":"en"}"""));

    [Fact]
    public void Should_round_trip_every_message_that_is_persisted_or_crosses_nodes()
    {
        foreach (var message in Samples())
        {
            var serializer = Sys.Serialization.FindSerializerFor(message).ShouldBeOfType<CofiSerializer>();
            var bytes = serializer.ToBinary(message);

            var back = serializer.FromBinary(bytes, serializer.Manifest(message));

            back.ShouldBeOfType(message.GetType());
            serializer.ToBinary(back).ShouldBe(bytes, $"nothing of {message.GetType().Name} is lost on the way back");
        }
    }

    [Fact]
    public void Should_keep_the_kind_of_a_call_outcome_and_the_actor_it_names()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new StageCommands.UpstreamCompleted(1));
        var report = new StageCommands.Report(1, 1, new CallOutcome.PermanentFailure("400 bad file"), "gpu-1", 5);
        var pull = new StageCommands.Pull(TestActor, "gpu-1", 2);

        serializer.FromBinary(serializer.ToBinary(report), serializer.Manifest(report)).ShouldBe(report);
        ((StageCommands.Pull)serializer.FromBinary(serializer.ToBinary(pull), serializer.Manifest(pull))).Worker.ShouldBe(TestActor);
    }

    [Fact]
    public void Should_have_a_sample_for_every_message_type()
    {
        var sampled = Samples().Select(m => m.GetType()).ToHashSet();

        CofiSerializer.KnownTypes.Where(t => !sampled.Contains(t)).ShouldBeEmpty();
    }

    [Fact]
    public void Should_read_a_submitted_event_recorded_before_batches_had_names_priorities_labels_and_keys()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new BatchEvents.Started(1, At));
        var recorded = """{"batchId":9,"input":"/in/calls","at":"2026-11-23T10:00:00.123456+00:00"}"""u8.ToArray();

        var back = (BatchEvents.Submitted)serializer.FromBinary(recorded, "BatchEvents.Submitted");

        back.ShouldBe(new BatchEvents.Submitted(9, "/in/calls", At));
        BatchManagerState.Empty.Apply(back).Batches[9].Summary.Name.ShouldBe("calls");
    }

    [Fact]
    public void Should_read_a_batch_queue_snapshot_taken_before_batches_had_names_and_keys()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(BatchManagerState.Empty);
        var state = BatchManagerState.Empty.Apply(new BatchEvents.Submitted(9, "/in/calls", At));
        var snapshot = JsonNode.Parse(serializer.ToBinary(state))!.AsObject();
        snapshot.Remove("submitKeys");
        var summary = snapshot["batches"]!["9"]!["summary"]!.AsObject();
        foreach (var later in new[] { "name", "priority", "labels" }) summary.Remove(later).ShouldBeTrue(later);

        var back = (BatchManagerState)serializer.FromBinary(Encoding.UTF8.GetBytes(snapshot.ToJsonString()), serializer.Manifest(state));

        back.Batches[9].Summary.Name.ShouldBe("calls");
        back.Decide(new BatchCommands.Submit("/in/other", false, IdempotencyKey: "k"), At).Reply.ShouldBe(new BatchReplies.Accepted(10, false));
    }

    [Fact]
    public void Should_read_a_stage_snapshot_saved_with_whole_records_keeping_what_decides()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new StageSnapshot([], false));
        var saved = """
            {"records":[{"fileId":4,"name":"a.wav","status":"failed","reason":"quarantined: timed out","attempts":3,"machine":"gpu-3",
              "durationMs":17,"history":[{"attempt":3,"machine":"gpu-3","outcome":"transientFailure","error":"no answer","durationMs":17,
              "at":"2026-11-23T10:00:00+00:00","request":"{}"}],"quarantined":true},
              {"fileId":5,"name":"b.wav","status":"done","result":"{\"t\":1}","attempts":1,"machine":"gpu-3","durationMs":9}],"completed":true}
            """u8.ToArray();

        var state = StageState.FromSnapshot((StageSnapshot)serializer.FromBinary(saved, "StageSnapshot"));

        state.Records[4].ShouldBe(new SettledFile(4, FileStatus.Failed, null, "quarantined: timed out", 3, Quarantined: true));
        state.Records[5].ShouldBe(new SettledFile(5, FileStatus.Done, """{"t":1}""", null, 1));
        (state.Done, state.Failed, state.Completed).ShouldBe((1, 1, true));
    }

    [Fact]
    public void Should_keep_timestamps_to_the_microsecond()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new BatchEvents.Started(1, At));

        var back = (BatchEvents.Started)serializer.FromBinary(serializer.ToBinary(new BatchEvents.Started(1, At)), "BatchEvents.Started");

        back.At.ShouldBe(At);
    }

    [Fact]
    public void Should_refuse_an_unknown_manifest_clearly()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new BatchEvents.Started(1, At));

        Should.Throw<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "Nope")).Message.ShouldContain("Nope");
    }
}
