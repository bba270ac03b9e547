using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Files;
using Cofi.Actors.Progress;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Progress;

public sealed class ProgressBroadcasterSpecs() : Akka.TestKit.Xunit2.TestKit(CofiConfig.Defaults)
{
    private static readonly string[] Stages = ["distribution", "denoise", "stt"];
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>A broadcaster that has subscribed to the event stream (it answered a question, so PreStart ran).</summary>
    private IActorRef Start(int frameEvery = 10, int intervalMs = 500, int buffer = 64, int replay = 1000)
    {
        var broadcaster = Sys.ActorOf(ProgressBroadcaster.Props(new ProgressSettings(TimeSpan.FromMilliseconds(intervalMs), frameEvery, buffer, replay, 10), Stages, TimeProvider.System));
        broadcaster.Ask<ProgressFigures>(ProgressQueries.GetFigures.Instance, Wait).Wait(Wait);
        return broadcaster;
    }

    private static StageProgress Progress(long batch, string stage, int done, bool completed = false) =>
        new(new StageCounts(batch, stage, done, 0, 0, 0, 0, completed ? done : null, completed), DateTimeOffset.UtcNow,
            [new FileRecord(done, $"call-{done}.wav", FileStatus.Done, "{}", null, 1, "gpu-1", 5)], new Dictionary<string, int> { ["gpu-1"] = 1 });

    private async Task<ProgressSubscription> SubscribeAsync(IActorRef broadcaster, long? batch = null, long? lastEventId = null) =>
        await broadcaster.Ask<ProgressSubscription>(new ProgressCommands.Subscribe(batch, lastEventId), Wait);

    private static async Task<ProgressFrame> NextAsync(ProgressSubscription subscription, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? Wait);
        return await subscription.Frames.ReadAsync(timeout.Token);
    }

    /// <summary>The broadcaster hears the event stream in its own time: wait until it has taken in <paramref name="events"/>.</summary>
    private async Task EventsInAsync(IActorRef broadcaster, long events) =>
        await AwaitAssertAsync(async () => (await broadcaster.Ask<ProgressFigures>(ProgressQueries.GetFigures.Instance, Wait)).EventsIn.ShouldBe(events), Wait);

    [Fact]
    public async Task Should_send_a_snapshot_first_then_deltas()
    {
        var broadcaster = Start(frameEvery: 1);
        await SubscribeAsync(broadcaster);
        Sys.EventStream.Publish(Progress(1, "stt", 3));
        Sys.EventStream.Publish(Progress(1, "denoise", 5));
        await EventsInAsync(broadcaster, 2);

        var subscription = await SubscribeAsync(broadcaster, batch: 1);
        var snapshot = await NextAsync(subscription);
        Sys.EventStream.Publish(Progress(1, "stt", 4));
        Sys.EventStream.Publish(Progress(2, "stt", 9));
        var delta = await NextAsync(subscription);

        snapshot.Type.ShouldBe(FrameTypes.Snapshot);
        snapshot.Stages.Select(s => (s.Stage, s.Done)).ShouldBe([("denoise", 5), ("stt", 3)], "in pipeline order");
        subscription.Resumed.ShouldBeFalse();
        delta.Type.ShouldBe(FrameTypes.Stage);
        (delta.Stages.Single().Stage, delta.Stages.Single().Done).ShouldBe(("stt", 4));
        delta.Id.ShouldBeGreaterThan(snapshot.Id);
        delta.Files.Single().Name.ShouldBe("call-4.wav");
        subscription.Frames.TryRead(out var other).ShouldBeFalse($"batch 2's frame is not for this subscriber ({other})");
    }

    [Fact]
    public async Task Should_coalesce_every_ten_events_into_one_frame()
    {
        var broadcaster = Start(frameEvery: 10, intervalMs: 60_000);
        var subscription = await SubscribeAsync(broadcaster);
        await NextAsync(subscription);

        for (var done = 1; done <= 21; done++) Sys.EventStream.Publish(Progress(1, "stt", done));
        var first = await NextAsync(subscription);
        var second = await NextAsync(subscription);
        var third = await NextAsync(subscription);
        await EventsInAsync(broadcaster, 21);

        // The first event after a quiet spell goes out at once; then one frame per ten.
        (first.Events, first.Stages[0].Done).ShouldBe((1, 1));
        (second.Events, second.Stages[0].Done).ShouldBe((10, 11));
        (third.Events, third.Stages[0].Done).ShouldBe((10, 21));
        second.Files.Count.ShouldBe(10);
        subscription.Frames.TryRead(out _).ShouldBeFalse();
        var figures = await broadcaster.Ask<ProgressFigures>(ProgressQueries.GetFigures.Instance, Wait);
        (figures.EventsIn, figures.EventsCoalesced).ShouldBe((21, 18));
    }

    [Fact]
    public async Task Should_send_what_gathered_when_the_interval_ends()
    {
        var broadcaster = Start(frameEvery: 10, intervalMs: 500);
        var subscription = await SubscribeAsync(broadcaster);
        await NextAsync(subscription);

        Sys.EventStream.Publish(Progress(1, "stt", 1));
        var leading = await NextAsync(subscription);
        var started = DateTimeOffset.UtcNow;
        Sys.EventStream.Publish(Progress(1, "stt", 2));
        Sys.EventStream.Publish(Progress(1, "stt", 3));
        var trailing = await NextAsync(subscription);
        var waited = DateTimeOffset.UtcNow - started;

        leading.Events.ShouldBe(1);
        (trailing.Events, trailing.Stages[0].Done).ShouldBe((2, 3));
        waited.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(350), "no second frame within the interval");
    }

    [Fact]
    public async Task Should_send_a_completed_stage_at_once()
    {
        var broadcaster = Start(frameEvery: 10, intervalMs: 60_000);
        var subscription = await SubscribeAsync(broadcaster);
        await NextAsync(subscription);
        Sys.EventStream.Publish(Progress(1, "stt", 1));
        await NextAsync(subscription);

        Sys.EventStream.Publish(Progress(1, "stt", 2, completed: true));
        var final = await NextAsync(subscription, TimeSpan.FromSeconds(5));

        final.Stages[0].Completed.ShouldBeTrue();
    }

    [Fact]
    public async Task Should_resume_after_the_last_event_id()
    {
        var broadcaster = Start(frameEvery: 1);
        var first = await SubscribeAsync(broadcaster);
        var snapshot = await NextAsync(first);
        for (var done = 1; done <= 5; done++) Sys.EventStream.Publish(Progress(1, "stt", done));
        var seen = new List<ProgressFrame>();
        for (var i = 0; i < 5; i++) seen.Add(await NextAsync(first));

        var resumed = await SubscribeAsync(broadcaster, lastEventId: seen[1].Id);
        var replayed = new List<ProgressFrame>();
        for (var i = 0; i < 3; i++) replayed.Add(await NextAsync(resumed));

        resumed.Resumed.ShouldBeTrue();
        replayed.Select(f => f.Id).ShouldBe(seen.Skip(2).Select(f => f.Id));
        replayed.Select(f => f.Stages[0].Done).ShouldBe([3, 4, 5]);
        seen[0].Id.ShouldBe(snapshot.Id + 1);
    }

    [Fact]
    public async Task Should_send_a_snapshot_when_the_last_event_id_is_forgotten()
    {
        var broadcaster = Start(frameEvery: 1, replay: 3);
        for (var done = 1; done <= 10; done++) Sys.EventStream.Publish(Progress(1, "stt", done));
        await EventsInAsync(broadcaster, 10);

        var subscription = await SubscribeAsync(broadcaster, lastEventId: 2);
        var frame = await NextAsync(subscription);

        subscription.Resumed.ShouldBeFalse();
        frame.Type.ShouldBe(FrameTypes.Snapshot);
        frame.Stages.Single().Done.ShouldBe(10);
    }

    [Fact]
    public async Task Should_drop_the_oldest_frames_of_a_subscriber_that_never_reads_without_holding_back_the_others()
    {
        var broadcaster = Start(frameEvery: 1, buffer: 8);
        var idle = await SubscribeAsync(broadcaster);
        var reader = await SubscribeAsync(broadcaster);
        var received = new List<ProgressFrame>();
        var reading = Task.Run(async () =>
        {
            await foreach (var frame in reader.Frames.ReadAllAsync())
            {
                received.Add(frame);
                if (frame.Stages.FirstOrDefault()?.Done == 2000) return;
            }
        });

        for (var done = 1; done <= 2000; done++) Sys.EventStream.Publish(Progress(1, "stt", done));
        await reading.WaitAsync(TimeSpan.FromSeconds(30));

        received.Select(f => f.Id).ShouldBeInOrder(SortDirection.Ascending);
        var kept = new List<ProgressFrame>();
        while (idle.Frames.TryRead(out var frame)) kept.Add(frame);
        kept.Count.ShouldBe(8, "never more than the buffer");
        kept[^1].Stages[0].Done.ShouldBe(2000, "the newest frames are kept");
        var figures = await broadcaster.Ask<ProgressFigures>(ProgressQueries.GetFigures.Instance, Wait);
        figures.FramesDropped.ShouldBeGreaterThanOrEqualTo(2001 - 8, "the idle subscriber lost all but its last 8 frames");
        figures.Subscribers.ShouldBe(2);
    }

    [Fact]
    public async Task Should_give_a_subscriber_that_fell_behind_the_whole_state_and_then_deltas_again()
    {
        var broadcaster = Start(frameEvery: 1, buffer: 4);
        var slow = await SubscribeAsync(broadcaster);
        Sys.EventStream.Publish(Progress(1, "distribution", 50, completed: true));
        for (var done = 1; done <= 20; done++) Sys.EventStream.Publish(Progress(1, "stt", done));
        await EventsInAsync(broadcaster, 21);

        var frames = new List<ProgressFrame>();
        while (slow.Frames.TryRead(out var frame)) frames.Add(frame);

        frames.Count.ShouldBe(4, "never more than the buffer");
        var state = new Dictionary<string, StageCounts>();
        foreach (var counts in frames.SelectMany(f => f.Stages)) state[counts.Stage] = counts;
        state["distribution"].Completed.ShouldBeTrue("distribution's only frame after its completion was dropped: a snapshot carries it");
        state["stt"].Done.ShouldBe(20);
        frames[^1].Type.ShouldBe(FrameTypes.Snapshot);

        // Caught up: the next frame brings the whole state once more, and deltas follow.
        Sys.EventStream.Publish(Progress(1, "stt", 21));
        (await NextAsync(slow)).Type.ShouldBe(FrameTypes.Snapshot);
        Sys.EventStream.Publish(Progress(1, "stt", 22));
        var delta = await NextAsync(slow);
        (delta.Type, delta.Stages.Single().Done).ShouldBe((FrameTypes.Stage, 22));
    }

    [Fact]
    public async Task Should_stop_writing_to_a_subscriber_that_left()
    {
        var broadcaster = Start(frameEvery: 1);
        var subscription = await SubscribeAsync(broadcaster);
        await NextAsync(subscription);

        broadcaster.Tell(new ProgressCommands.Unsubscribe(subscription.Id));
        await subscription.Frames.Completion.WaitAsync(Wait);

        (await broadcaster.Ask<ProgressFigures>(ProgressQueries.GetFigures.Instance, Wait)).Subscribers.ShouldBe(0);
    }

    [Fact]
    public async Task Should_pass_batch_changes_on_at_once_and_keep_them_for_snapshots()
    {
        var broadcaster = Start();
        var subscription = await SubscribeAsync(broadcaster);
        await NextAsync(subscription);
        var summary = new BatchSummary(4, "/in", BatchStatus.Paused, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);

        Sys.EventStream.Publish(new BatchUpdated(summary));
        var frame = await NextAsync(subscription);
        var snapshot = await broadcaster.Ask<ProgressFrame>(new ProgressQueries.GetSnapshot(4), Wait);

        (frame.Type, frame.Batches.Single().Status).ShouldBe((FrameTypes.Batch, BatchStatus.Paused));
        snapshot.Batches.Single().ShouldBe(summary);
    }

    [Fact]
    public async Task Should_count_machine_load_from_stage_progress()
    {
        var broadcaster = Start();
        Sys.EventStream.Publish(Progress(1, "stt", 1));
        Sys.EventStream.Publish(Progress(1, "denoise", 1));
        await EventsInAsync(broadcaster, 2);

        var machines = await broadcaster.Ask<MachineLoadList>(ProgressQueries.GetMachines.Instance, Wait);

        var gpu = machines.Machines.Single();
        (gpu.Machine, gpu.SlotsBusy, gpu.FilesDone, gpu.FilesPerMinute).ShouldBe(("gpu-1", 2, 2L, 2.0));
    }
}
