using Akka.Actor;
using Akka.TestKit;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Gpu;
using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Http;

/// <summary>
/// The GPU stages against real model services on loopback (Kestrel), with the fault mix of issue 5: 10 % HTTP 500,
/// 5 % hangs past the timeout, 5 % 429 with Retry-After, a 400 for one bad file, malformed JSON for another, one
/// machine refusing connections for the whole run and one slow machine. In the same host, llm1 goes to the fake
/// chat-completions endpoint under a requests-per-minute limit.
/// </summary>
public sealed class ModelServiceFaultSpecs : IDisposable
{
    private static readonly string[] GpuStages = ["denoise", "ivr", "lid", "stt"];
    private const int MaxAttempts = 8;
    private const int Files = 40;
    private const int LlmRequestsPerMinute = 1200;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_complete_every_good_file_through_the_faults_and_finish_the_leftovers_on_retry_failed()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, Files, 0);
        var names = Enumerable.Range(1, Files).Select(SampleFiles.Name).ToList();
        var (bad, malformed, unavailable, huge) = (names[3], names[5], names[7], names[9]);
        await using var server = await FakeModelServer.StartAsync(4);
        server.Faults = new FaultMix(ServerErrorRate: 0.10, HangRate: 0.05, TooManyRequestsRate: 0.05,
            Latency: TimeSpan.FromMilliseconds(20), Hang: TimeSpan.FromSeconds(10), SlowMachine: server.Machines[3], SlowFactor: 5);
        server.BadRequests[("denoise", bad)] = $"unsupported codec in {bad}";
        server.MalformedAnswers[("lid", malformed)] = true;
        server.Unavailable[("stt", unavailable)] = true;
        server.HugeAnswers[("ivr", huge)] = true;
        var dead = FakeModelServer.DeadMachine(0);
        var database = _dir.File("cofi.db");
        await using var host = await PipelineHost.StartAsync(database, HttpPipeline(server, dead) + $$$"""
            cofi.pipeline.stage.llm1 {
              executor = http
              concurrency = 16
              llm {
                endpoints = ["http://{{{server.Machines[0]}}}:{{{server.Port}}}/v1/chat/completions"]
                model = "fault-mix"
                prompt = "Summarise in {{lid.language}}: {{stt.transcript}}"
                requests-per-minute = {{{LlmRequestsPerMinute}}}
              }
            }
            """);
        var kit = host.TestKit();
        var circuits = kit.CreateTestProbe();
        host.System.EventStream.Subscribe(circuits.Ref, typeof(MachineCircuitChanged));

        var finished = await host.RunAsync(input, TimeSpan.FromMinutes(3));

        finished.Status.ShouldBe(BatchStatus.Completed);
        var journal = host.Journal();
        var records = new Dictionary<string, IReadOnlyDictionary<int, FileRecord>>();
        foreach (var stage in GpuStages) records[stage] = await journal.StageRecordsAsync(finished.BatchId, stage);
        var denoiseBad = records["denoise"].Values.Single(r => r.Name == bad);
        denoiseBad.Status.ShouldBe(FileStatus.Failed);
        denoiseBad.Reason!.ShouldContain("HTTP 400");
        denoiseBad.Reason!.ShouldContain($"unsupported codec in {bad}");
        denoiseBad.History!.Last().StatusCode.ShouldBe(400);
        denoiseBad.History!.Count(h => h.Machine != dead).ShouldBe(1, "a 400 is not retried (an attempt before it may have been refused by the dead machine)");
        var lidMalformed = records["lid"].Values.Single(r => r.Name == malformed);
        lidMalformed.Status.ShouldBe(FileStatus.Failed);
        lidMalformed.Reason!.ShouldContain("malformed JSON");
        var ivrHuge = records["ivr"].Values.Single(r => r.Name == huge);
        ivrHuge.Status.ShouldBe(FileStatus.Failed);
        ivrHuge.Reason!.ShouldContain("over the 65,536-byte limit");
        ivrHuge.History!.Last().Response!.ShouldContain("not kept");
        var sttUnavailable = records["stt"].Values.Single(r => r.Name == unavailable);
        sttUnavailable.Status.ShouldBe(FileStatus.Failed);
        sttUnavailable.Reason!.ShouldContain($"gave up after {MaxAttempts} attempts");
        sttUnavailable.Reason!.ShouldContain("HTTP 503");
        records["stt"].Values.Count(r => r.Status == FileStatus.Done).ShouldBe(Files - 4, "every good file completes despite the faults");

        var attempts = records.Values.SelectMany(r => r.Values).ToList();
        attempts.ShouldAllBe(r => r.Attempts <= MaxAttempts);
        attempts.Where(r => r.Status != FileStatus.Skipped).ShouldAllBe(r => r.History != null && r.History.Count >= 1 && r.History.Count <= MaxAttempts);
        attempts.Where(r => r.Status == FileStatus.Done).ShouldAllBe(r => r.Machine != dead, "the dead machine completes nothing");
        var retried = attempts.Where(r => r.History is { Count: > 1 }).ToList();
        retried.ShouldNotBeEmpty("the fault mix makes some files retry");
        retried.Where(r => r.History!.Any(c => c.Machine == dead) && r.Status == FileStatus.Done)
            .ShouldAllBe(r => r.History!.Last().Machine != dead, "a file that failed on the dead machine was retried on another one");
        var afterTooMany = attempts.Where(r => r.History != null)
            .SelectMany(r => r.History!.Zip(r.History!.Skip(1), (first, second) => (First: first, Second: second)))
            .Where(pair => pair.First.StatusCode == 429)
            .ToList();
        afterTooMany.ShouldNotBeEmpty("5 % of calls are answered 429");
        afterTooMany.ShouldAllBe(pair => pair.Second.StartedAt - pair.First.At >= TimeSpan.FromMilliseconds(950),
            "the next attempt waits for Retry-After: 1");
        var hung = attempts.SelectMany(r => r.History ?? []).Where(c => c.StatusCode == null && c.Machine != dead).ToList();
        hung.ShouldNotBeEmpty("5 % of calls hang past the timeout");
        hung.ShouldAllBe(c => c.Error!.Contains("no answer") || c.Error.Contains("could not reach"));

        var opened = circuits.ReceiveWhile(TimeSpan.FromSeconds(1), m => m as MachineCircuitChanged)
            .Where(c => c is { Machine: var m, State: "Open" } && m == dead).ToList();
        opened.ShouldNotBeEmpty("the dead machine's breaker opens");
        var deadAttempts = attempts.SelectMany(r => r.History ?? []).Count(c => c.Machine == dead);
        var liveAttempts = attempts.SelectMany(r => r.History ?? []).Count(c => c.Machine != dead);
        // Before the breaker opens at most two rounds of every slot reach it; after, one probe per break.
        deadAttempts.ShouldBeLessThanOrEqualTo(2 * 4 * 4 + opened.Count, $"{deadAttempts} attempts on the dead machine, {liveAttempts} on the live ones");

        foreach (var stage in GpuStages)
        {
            var recorded = await journal.RecordedAsync(finished.BatchId, stage);
            recorded.Count.ShouldBe(Files, $"{stage} records each file once");
            recorded.Select(r => r.FileId).Distinct().Count().ShouldBe(Files);
        }
        server.Calls.Where(c => c.File == names[0] && c.Path == "stt").ShouldAllBe(c => c.IdempotencyKey == $"{finished.BatchId}:stt:{names[0]}");

        // llm1 in the same host: one chat call per file that got through stt, never more than the limit allows in a second.
        var llm1 = await journal.StageRecordsAsync(finished.BatchId, "llm1");
        llm1.Values.Count(r => r.Status == FileStatus.Done).ShouldBe(Files - 4);
        var chats = server.Calls.Where(c => c.Path == "chat").OrderBy(c => c.At).ToList();
        chats.Count.ShouldBe(Files - 4);
        var perSecond = LlmRequestsPerMinute / 60;
        for (var i = 0; i < chats.Count; i++)
            chats.Skip(i).TakeWhile(c => c.At - chats[i].At < TimeSpan.FromSeconds(1)).Count()
                .ShouldBeLessThanOrEqualTo(2 * perSecond + 1, "a burst and a second's refill at most within any second");

        // processing_logs has a row for every attempt, with the machine, and the HTTP status in the error.
        await host.DrainEventWriterAsync();
        using (var connection = DatabaseSettings.Sqlite(database).ReadModel.OpenRawConnection())
        {
            foreach (var stage in GpuStages)
            {
                var rows = ReadModelComparison.Rows(connection,
                    $"SELECT call_id, attempt, machine, status, error_message, input_payload FROM processing_logs WHERE batch_id = {finished.BatchId} AND stage_name = '{stage}'");
                rows.Count.ShouldBe(records[stage].Values.Sum(r => r.History?.Count ?? 0), $"one processing_logs row per {stage} attempt");
                rows.Where(r => (string)r[2]! == dead).ShouldAllBe(r => ((string)r[4]!).Contains("could not reach"));
            }
            var badRows = ReadModelComparison.Rows(connection,
                $"SELECT status, error_message, status_code, input_payload, output_payload FROM processing_logs WHERE batch_id = {finished.BatchId} AND stage_name = 'denoise' AND call_id = '{bad}' ORDER BY attempt");
            // An earlier attempt may have met the dead machine; the one a live machine answered 400 failed the file, once.
            badRows.Count(r => ((string)r[1]!).Contains("HTTP 400")).ShouldBe(1, "a 400 is not retried");
            var badRow = badRows[^1];
            badRow[1].ShouldBeOfType<string>().ShouldContain("HTTP 400");
            Convert.ToInt32(badRow[2]).ShouldBe(400, "the attempt's status code has its column");
            badRow[3].ShouldBeOfType<string>().ShouldContain(bad, Case.Sensitive, "the request body sent is kept");
            badRow[4].ShouldNotBeNull("the response body received is kept");
        }

        // The fault is removed: retry-failed processes the failed files again; the bad and malformed ones fail again.
        server.Unavailable.Clear();
        var accepted = await host.Manager.Ask<BatchReplies.RetryFailedAccepted>(new BatchCommands.RetryFailed(finished.BatchId), TimeSpan.FromSeconds(30));
        accepted.WasFinished.ShouldBeTrue();
        var again = await host.Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(finished.BatchId), TimeSpan.FromMinutes(3));

        again.Status.ShouldBe(BatchStatus.Completed);
        var stt = await journal.StageRecordsAsync(finished.BatchId, "stt");
        stt.Values.Single(r => r.Name == unavailable).Status.ShouldBe(FileStatus.Done);
        stt.Values.Count(r => r.Status == FileStatus.Done).ShouldBe(Files - 3);
        (await journal.StageRecordsAsync(finished.BatchId, "denoise")).Values.Single(r => r.Name == bad).Status.ShouldBe(FileStatus.Failed);
        var metadata = await journal.StageRecordsAsync(finished.BatchId, "metadata");
        metadata.Values.Single(r => r.Name == unavailable).Result!.ShouldContain("\"status\":\"completed\"");
        again.Stages.Single(s => s.Stage == "metadata").Settled.ShouldBe(Files);
        var requeued = new[] { bad, malformed, unavailable, huge };
        foreach (var stage in GpuStages.Append("metadata"))
        {
            var recorded = await journal.RecordedAsync(finished.BatchId, stage);
            recorded.GroupBy(r => r.Name).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeSubsetOf(requeued,
                $"only the failed files are recorded again at {stage}");
            recorded.GroupBy(r => r.Name).ShouldAllBe(g => g.Count() <= 2);
            if (stage != "metadata") recorded.GroupBy(r => r.Name).ShouldAllBe(g => g.Count(r => r.Status == FileStatus.Done) <= 1, $"no file is done twice at {stage}");
        }

        // The read model counts each file once after the retry: the requeued records left the counts when they were dropped.
        await host.DrainEventWriterAsync();
        var failedNow = again.Stages.Sum(s => s.Failed);
        using var readModel = DatabaseSettings.Sqlite(database).ReadModel.OpenRawConnection();
        var counts = ReadModelComparison.Rows(readModel, $"SELECT processedFiles, failedFiles FROM batchStatus WHERE id = {finished.BatchId}").Single();
        Convert.ToInt32(counts[0]).ShouldBe(Files, "processedFiles counts each file once");
        Convert.ToInt32(counts[1]).ShouldBe(failedNow, "failedFiles counts the failures the journal holds now");
    }

    [Fact]
    public async Task Should_give_a_machine_added_at_run_time_its_share_of_the_work()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 30, 0);
        await using var server = await FakeModelServer.StartAsync(2);
        server.Faults = new FaultMix(Latency: TimeSpan.FromMilliseconds(60));
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), HttpPipeline(server, null, onlyFirst: true));
        var accepted = await host.Manager.Ask<BatchReplies.Accepted>(new BatchCommands.Submit(input, ResumeUnfinished: false), TimeSpan.FromSeconds(30));
        await AwaitAsync(() => server.Calls.Count >= 4);

        var added = await host.Manager.Ask<BatchReplies.MachineAccepted>(new BatchCommands.AddMachine(server.Machines[1]), TimeSpan.FromSeconds(30));
        var finished = await host.Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(accepted.BatchId), TimeSpan.FromMinutes(2));

        added.RunningBatches.ShouldBe(1);
        finished.Status.ShouldBe(BatchStatus.Completed);
        server.Calls.Count(c => c.Machine == server.Machines[1]).ShouldBeGreaterThan(0, "the added machine took work");
        (await host.Manager.Ask<BatchReplies.MachineRejected>(new BatchCommands.AddMachine("not a host!"), TimeSpan.FromSeconds(30))).Reason.ShouldContain("not a host");
    }

    [Fact]
    public async Task Should_prepare_each_machine_before_its_first_file_and_release_it_after_its_last_in_barrier_mode()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 20, 0);
        await using var server = await FakeModelServer.StartAsync(2);
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), HttpPipeline(server, null) + """
            cofi.pipeline.mode = barrier
            cofi.pipeline.stage.denoise.http { prepare-path = "/denoise/prepare", release-path = "/denoise/release" }
            """);

        var finished = await host.RunAsync(input);

        finished.Status.ShouldBe(BatchStatus.Completed);
        foreach (var machine in server.Machines)
        {
            var calls = server.Calls.Where(c => c.Machine == machine && c.Path.StartsWith("denoise", StringComparison.Ordinal)).ToList();
            calls.ShouldNotBeEmpty();
            calls[0].Path.ShouldBe("denoise/prepare");
            calls.Count(c => c.Path == "denoise/prepare").ShouldBe(1);
            await AwaitAsync(() => server.Calls.Any(c => c.Machine == machine && c.Path == "denoise/release"));
            var all = server.Calls.Where(c => c.Machine == machine && c.Path.StartsWith("denoise", StringComparison.Ordinal)).ToList();
            all[^1].Path.ShouldBe("denoise/release");
            all.Count(c => c.Path == "denoise").ShouldBeGreaterThan(0);
        }
    }

    internal static string HttpPipeline(FakeModelServer server, string? dead, bool onlyFirst = false)
    {
        var machines = onlyFirst ? [server.Machines[0]] : server.Machines.Concat(dead is null ? [] : [dead]);
        return $$"""
            cofi.gpu {
              machines = [{{string.Join(", ", machines.Select(m => $"\"{m}\""))}}]
              circuit-breaker { failure-ratio = 0.5, minimum-throughput = 6, sampling-duration = 2s, break-duration = 1s }
              limits.max-response-bytes = 65536
            }
            cofi.stage-defaults {
              executor = http
              slots = 4
              timeout = 1s
              max-attempts = {{MaxAttempts}}
              backoff-base = 20ms
              backoff-max = 200ms
              http.port = {{server.Port}}
            }
            cofi.pipeline.stage {
              denoise.http.path = "/denoise"
              ivr.http.path = "/ivr"
              lid.http.path = "/lid"
              stt.http { path = "/stt", include-results = [denoise, lid] }
              llm1.executor = simulated
              llm2.executor = simulated
            }
            """;
    }

    private static async Task AwaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within a minute");
            await Task.Delay(20);
        }
    }

    public void Dispose() => _dir.Dispose();
}
