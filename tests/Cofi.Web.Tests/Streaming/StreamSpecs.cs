using System.Net;
using System.Net.Sockets;
using System.Text;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Streaming;

public sealed class StreamSpecs
{
    private static bool IsEnd(SseFrame f, long batchId) =>
        f.Type == "batch" && f.Batches.Any(b => b.GetProperty("batchId").GetInt64() == batchId && b.GetProperty("status").GetString() == "completed");

    [Fact]
    public async Task Should_send_a_snapshot_first_then_deltas_until_every_stage_is_complete()
    {
        await using var web = await CofiWeb.StartAsync();
        await using var sse = await SseClient.ConnectAsync(web.Viewer, "/api/stream");

        var snapshot = await sse.NextAsync();
        var batchId = await web.SubmitAsync(web.Samples("watched", 40));
        var frames = await sse.ReadUntilAsync(f => IsEnd(f, batchId));

        sse.Response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        (snapshot.EventType, snapshot.Type).ShouldBe(("snapshot", "snapshot"));
        frames.Select(f => f.Id).ShouldBeInOrder(SortDirection.Ascending);
        frames.ShouldAllBe(f => f.EventId == f.Id.ToString() && f.EventType == f.Type && f.Id > snapshot.Id);
        var last = frames.Where(f => f.Type == "stage").SelectMany(f => f.Stages).GroupBy(s => s.GetProperty("stage").GetString()).ToDictionary(g => g.Key!, g => g.Last());
        last.Keys.ShouldBe(["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"], ignoreOrder: true);
        last.Values.ShouldAllBe(s => s.GetProperty("settled").GetInt32() == 40 && s.GetProperty("completed").GetBoolean());
    }

    [Fact]
    public async Task Should_coalesce_to_one_frame_per_stage_every_500_ms_or_10_events()
    {
        await using var web = await CofiWeb.StartAsync("cofi.persistence.record-group-size = 1");
        await using var sse = await SseClient.ConnectAsync(web.Viewer, "/api/stream");
        await sse.NextAsync();

        var batchId = await web.SubmitAsync(web.Samples("coalesced", 120));
        var frames = (await sse.ReadUntilAsync(f => IsEnd(f, batchId))).Where(f => f.Type == "stage").ToList();

        foreach (var stage in frames.GroupBy(f => f.Stages.Single().GetProperty("stage").GetString()))
        {
            var list = stage.ToList();
            for (var i = 1; i < list.Count; i++)
            {
                var events = list[i].Frame.GetProperty("events").GetInt32();
                var completed = list[i].Stages.Single().GetProperty("completed").GetBoolean();
                var gap = list[i].Frame.GetProperty("at").GetDateTimeOffset() - list[i - 1].Frame.GetProperty("at").GetDateTimeOffset();
                events.ShouldBeLessThanOrEqualTo(10, $"{stage.Key}: never more than 10 events in a frame");
                if (events < 10 && !completed)
                    gap.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(495), $"{stage.Key}: a frame of {events} events waited for the interval");
            }
        }
        var figures = await web.Viewer.GetStringAsync("/api/progress/figures");
        figures.ShouldNotContain("\"eventsCoalesced\":0,");
        frames.Sum(f => f.Frame.GetProperty("events").GetInt32()).ShouldBeGreaterThan(frames.Count, "several events went into some frames");
    }

    [Fact]
    public async Task Should_resume_after_the_Last_Event_ID_without_a_snapshot()
    {
        await using var web = await CofiWeb.StartAsync();
        List<SseFrame> seen;
        await using (var first = await SseClient.ConnectAsync(web.Viewer, "/api/stream"))
        {
            await first.NextAsync();
            var batchId = await web.SubmitAsync(web.Samples("resumed", 30));
            seen = await first.ReadUntilAsync(f => IsEnd(f, batchId));
        }

        await using var resumed = await SseClient.ConnectAsync(web.Viewer, "/api/stream", lastEventId: seen[2].Id);
        var replayed = new List<SseFrame>();
        for (var i = 3; i < seen.Count; i++) replayed.Add(await resumed.NextAsync());

        replayed.Select(f => f.Id).ShouldBe(seen.Skip(3).Select(f => f.Id));
        replayed.ShouldNotContain(f => f.Type == "snapshot");
    }

    [Fact]
    public async Task Should_stream_one_batch_and_refuse_unknown_batches_and_bad_ids()
    {
        await using var web = await CofiWeb.StartAsync();
        var first = await web.SubmitAsync(web.Samples("one", 10));
        await web.WaitForEndAsync(first);
        await using var sse = await SseClient.ConnectAsync(web.Viewer, $"/api/batches/{first}/stream");

        var snapshot = await sse.NextAsync();
        var second = await web.SubmitAsync(web.Samples("two", 10));
        await web.WaitForEndAsync(second);
        await using var all = await SseClient.ConnectAsync(web.Viewer, "/api/stream");
        var everything = await all.NextAsync();

        snapshot.Stages.ShouldAllBe(s => s.GetProperty("batchId").GetInt64() == first);
        snapshot.Stages.Count().ShouldBe(9);
        await Should.ThrowAsync<TimeoutException>(() => sse.NextAsync(TimeSpan.FromSeconds(2)));
        everything.Stages.Select(s => s.GetProperty("batchId").GetInt64()).Distinct().ShouldBe([first, second]);
        await (await web.Viewer.GetAsync("/api/batches/999/stream")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var bad = new HttpRequestMessage(HttpMethod.Get, "/api/stream");
        bad.Headers.Add("Last-Event-ID", "yesterday");
        await (await web.Viewer.SendAsync(bad)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Should_not_grow_memory_or_slow_others_for_a_client_that_never_reads()
    {
        const int Frames = 40_000;
        await using var web = await CofiWeb.StartAsync("cofi.progress { frame-every = 1, subscriber-buffer = 16, replay-frames = 16 }");
        using var idle = await ConnectWithoutReadingAsync(new Uri(web.Address));
        await using var reader = await SseClient.ConnectAsync(web.Viewer, "/api/stream");
        await reader.NextAsync();
        await WaitForSubscribersAsync(web, 2);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        // A reader that falls behind the publisher's loop gets snapshots instead of the deltas it lost: either carries the last count.
        var reading = reader.SkipUntilAsync(f => f.Type is "stage" or "snapshot" && f.Stages.Any(s => s.GetProperty("done").GetInt32() == Frames), TimeSpan.FromMinutes(2));
        var files = Enumerable.Range(0, 10).Select(i => new FileRecord(i, $"call-{i:00000}-with-a-long-enough-name.wav", FileStatus.Done, "{}", null, 1, "gpu-1", 5)).ToList();
        for (var done = 1; done <= Frames; done++)
            web.Runtime.System.EventStream.Publish(new StageProgress(new StageCounts(7, "stt", done, 0, 0, 0, 0, null, false), DateTimeOffset.UtcNow, files));
        var started = DateTime.UtcNow;
        await reading;
        var caughtUp = DateTime.UtcNow - started;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var figures = await web.Viewer.GetStringAsync("/api/progress/figures");

        caughtUp.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the reading client saw the last frame soon after it was published");
        (after - before).ShouldBeLessThan(16L * 1024 * 1024, $"{Frames} frames of ~1.5 kB went to a client that never reads; memory must not hold them");
        figures.ShouldNotContain("\"framesDropped\":0,");
        idle.Connected.ShouldBeTrue("the idle client is still connected, just not reading");
    }

    /// <summary>A raw connection that asks for the stream with a tiny receive window and then never reads.</summary>
    private static async Task<Socket> ConnectWithoutReadingAsync(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await socket.ConnectAsync(address.Host, address.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /api/stream HTTP/1.1\r\nHost: {address.Authority}\r\nAccept: text/event-stream\r\nAuthorization: Bearer {CofiWeb.ViewerToken}\r\n\r\n"));
        return socket;
    }

    private static async Task WaitForSubscribersAsync(CofiWeb web, int count)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!(await web.Viewer.GetStringAsync("/api/progress/figures")).Contains($"\"subscribers\":{count}"))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{count} subscribers never connected");
            await Task.Delay(50);
        }
    }
}
