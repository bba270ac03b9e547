using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Stages;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Pipeline;

public sealed class BatchControlSpecs : IDisposable
{
    // One machine, two slots, 100 ms a denoise call: 40 files take about two seconds at denoise.
    private const string Slow = """
        cofi.simulated.gpu-machines = 1
        cofi.pipeline.stage.denoise.simulated { latency = 100ms, spread = 0ms }
        """;

    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    private string Input(int files = 40)
    {
        var input = Path.Combine(_dir.Path, "input");
        if (!Directory.Exists(input)) SampleBatch.Generate(input, files, 0);
        return input;
    }

    private static async Task<long> SubmitAndWaitForDenoiseAsync(PipelineHost host, string input, int settled)
    {
        var kit = host.TestKit();
        var probe = kit.CreateTestProbe();
        host.System.EventStream.Subscribe(probe.Ref, typeof(StageProgress));
        var accepted = await host.Manager.Ask<BatchReplies.Accepted>(new BatchCommands.Submit(input, false), Ask);
        probe.FishForMessage<StageProgress>(p => p.Counts.Stage == "denoise" && p.Counts.Done >= settled, TimeSpan.FromSeconds(60));
        host.System.EventStream.Unsubscribe(probe.Ref);
        return accepted.BatchId;
    }

    /// <summary>Waits until the number of recorded calls has not moved for a second, and returns it.</summary>
    private static async Task<int> SettledCallsAsync(PipelineHost host)
    {
        var last = -1;
        while (true)
        {
            var now = host.Calls.Records.Count;
            if (now == last) return now;
            last = now;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task Should_hand_out_no_work_while_paused_and_finish_after_resume()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), Slow);
        var batchId = await SubmitAndWaitForDenoiseAsync(host, Input(), 4);

        var paused = await host.Manager.Ask<BatchUpdated>(new BatchCommands.Pause(batchId), Ask);
        var callsWhilePaused = await SettledCallsAsync(host);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var callsLater = host.Calls.Records.Count;
        var resumed = await host.Manager.Ask<BatchUpdated>(new BatchCommands.Resume(batchId), Ask);
        var finished = await host.Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(batchId), TimeSpan.FromMinutes(2));

        paused.Summary.Status.ShouldBe(BatchStatus.Paused);
        callsLater.ShouldBe(callsWhilePaused, "no call starts while the batch is paused");
        host.Calls.Records.Count(c => c.Stage == "denoise").ShouldBeLessThan(40 + 1);
        resumed.Summary.Status.ShouldBe(BatchStatus.Running);
        finished.Status.ShouldBe(BatchStatus.Completed);
        finished.Stages.ShouldAllBe(s => s.Settled == 40);
    }

    [Fact]
    public async Task Should_stay_paused_after_a_restart()
    {
        long batchId;
        int callsBefore;
        await using (var first = await PipelineHost.StartAsync(_dir.File("cofi.db"), Slow))
        {
            batchId = await SubmitAndWaitForDenoiseAsync(first, Input(), 4);
            await first.Manager.Ask<BatchUpdated>(new BatchCommands.Pause(batchId), Ask);
            callsBefore = await SettledCallsAsync(first);
        }

        await using var second = await PipelineHost.StartAsync(_dir.File("cofi.db"), Slow);
        var status = await second.Manager.Ask<BatchReplies.Status>(new BatchQueries.GetStatus(batchId), Ask);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var callsWhilePaused = second.Calls.Records.Count(c => c.Stage != "metadata");
        await second.Manager.Ask<BatchUpdated>(new BatchCommands.Resume(batchId), Ask);
        var finished = await second.Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(batchId), TimeSpan.FromMinutes(2));

        callsBefore.ShouldBeGreaterThan(0);
        status.Batch.Status.ShouldBe(BatchStatus.Paused);
        callsWhilePaused.ShouldBe(0, "the restarted batch's stages start paused");
        finished.Status.ShouldBe(BatchStatus.Completed);
        finished.Stages.ShouldAllBe(s => s.Settled == 40);
    }

    [Fact]
    public async Task Should_end_a_cancelled_batch_as_cancelled_and_keep_it_so()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), Slow);
        var batchId = await SubmitAndWaitForDenoiseAsync(host, Input(), 2);

        var cancelled = await host.Manager.Ask<BatchFinished>(new BatchCommands.Cancel(batchId), Ask);
        var again = await host.Manager.Ask<BatchReplies.ControlRefused>(new BatchCommands.Cancel(batchId), Ask);
        var list = await host.Manager.Ask<BatchReplies.List>(BatchQueries.GetBatches.Instance, Ask);

        (cancelled.Status, cancelled.Reason).ShouldBe((BatchStatus.Cancelled, "cancelled by an operator"));
        cancelled.Stages.Single(s => s.Stage == "metadata").Settled.ShouldBeLessThan(40);
        again.Reason.ShouldContain("cancelled already");
        list.Batches.Single(b => b.BatchId == batchId).Status.ShouldBe(BatchStatus.Cancelled);
        var journal = await host.Journal().BatchesAsync();
        journal.Single(b => b.Summary.BatchId == batchId).Summary.Status.ShouldBe(BatchStatus.Cancelled, "recorded in the journal");
    }

    [Fact]
    public async Task Should_hold_a_running_batch_for_a_stop_and_answer_once_its_calls_in_flight_are_recorded()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), Slow);
        var batchId = await SubmitAndWaitForDenoiseAsync(host, Input(), 4);
        var kit = host.TestKit();
        var events = kit.CreateTestProbe();
        host.System.EventStream.Subscribe(events.Ref, typeof(BatchHolding));

        var held = await host.Manager.Ask<BatchesHeld>(new BatchCommands.Hold(TimeSpan.FromSeconds(20)), Ask);

        held.ShouldBe(new BatchesHeld(1, 0, false, TimeSpan.FromSeconds(20)));
        events.ExpectMsg<BatchHolding>().InFlight.ShouldBeGreaterThan(0, "denoise's two slots were busy");
        var recorded = (await host.Journal().StageRecordsAsync(batchId, "denoise")).Values.Select(r => r.Name).ToHashSet();
        host.Calls.Records.Where(c => c.Stage == "denoise" && c.Outcome == "completed").Select(c => c.File).Where(f => !recorded.Contains(f))
            .ShouldBeEmpty("every call that came back before the answer is recorded");
        host.System.EventStream.Subscribe(events.Ref, typeof(StageProgress));
        // Files an earlier stage failed or skipped may still pass through as skipped; anything else would come from a call.
        var later = events.ReceiveWhile(TimeSpan.FromSeconds(1), m => (StageProgress)m);
        later.SelectMany(p => p.Recorded ?? []).Where(r => r.Status != FileStatus.Skipped).ShouldBeEmpty("a held batch makes no call");
    }

    [Fact]
    public async Task Should_refuse_controls_that_do_not_apply()
    {
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"));
        var finished = await host.RunAsync(Input(5));

        var pause = await host.Manager.Ask<BatchReplies.ControlRefused>(new BatchCommands.Pause(finished.BatchId), Ask);
        var resume = await host.Manager.Ask<BatchReplies.ControlRefused>(new BatchCommands.Resume(finished.BatchId), Ask);
        var missing = await host.Manager.Ask<BatchReplies.NotFound>(new BatchCommands.Pause(99), Ask);

        pause.Reason.ShouldBe($"batch {finished.BatchId} is completed; only a running batch can be paused");
        resume.Reason.ShouldBe($"batch {finished.BatchId} is completed; only a paused batch can be resumed");
        missing.BatchId.ShouldBe(99);
    }

    public void Dispose() => _dir.Dispose();
}
