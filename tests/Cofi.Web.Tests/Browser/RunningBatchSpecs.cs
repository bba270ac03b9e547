using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Web.Tests.Support;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Browser;

/// <summary>
/// The dashboard left open on a running batch in a real headless Chromium: what it holds stays bounded while frames,
/// the event log and the charts keep changing, and it keeps drawing frames while the nine stages update. The test suite
/// watches a 3,000-file batch for 20 s, then counts frames for 5 s on it; <c>scripts/bench-dashboard</c>
/// (<c>COFI_DASHBOARD_MINUTES</c>) watches a 100,000-file batch for that many minutes, sampling once a minute, then
/// counts frames in three 10 s windows on a second Cofi running a 100,000-file batch at zero latency. The figures go to
/// .artifacts/browser/dashboard-memory.txt and dashboard-frames.txt.
/// </summary>
public sealed class RunningBatchSpecs
{
    private static readonly int? Minutes = int.TryParse(Environment.GetEnvironmentVariable("COFI_DASHBOARD_MINUTES"), out var minutes) && minutes > 0 ? minutes : null;
    private static readonly int Files = Minutes is null ? 3_000 : 100_000;
    private static readonly TimeSpan Watch = Minutes is { } m ? TimeSpan.FromMinutes(m) : TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Every = Minutes is null ? TimeSpan.FromSeconds(4) : TimeSpan.FromMinutes(1);
    // The benchmark counts three windows one after the other and reports their median; the suite one.
    private static readonly TimeSpan Window = Minutes is null ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(10);
    private static readonly int Windows = Minutes is null ? 1 : 3;
    private static readonly TimeSpan Counting = Window * Windows;

    /// <summary>Beyond the watch and the count, for the page to open however loaded the machine is.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(90);

    private static readonly float Patience = (float)TimeSpan.FromMinutes(5).TotalMilliseconds;

    /// <summary>Denoise is the batch's narrowest stage: 4 simulated machines with 2 slots each.</summary>
    private const int DenoiseSlots = 4 * 2;

    /// <summary>
    /// Twice the nodes the page holds with every list full (pages of 50 events, 100 live rows, 20 stragglers, a chart
    /// per machine and per stage): a list that grew with the batch's files, or rows and charts kept after they were
    /// replaced, pass it within seconds.
    /// </summary>
    private const long NodeBound = 8_000;

    /// <summary>Twice the JS event listeners the page holds: each replaced row kept would keep its listener.</summary>
    private const long ListenerBound = 600;

    /// <summary>Five times the heap the page holds on a batch of any size.</summary>
    private const double HeapBoundMiB = 16;

    private const string AllStagesSettledAFile =
        "() => { const rows = [...document.querySelectorAll('#stages tbody tr')]; return rows.length === 9 && rows.every((r) => Number(r.dataset.settled) > 0); }";

    [Fact]
    public async Task Should_keep_the_page_bounded_and_drawing_while_a_batch_runs()
    {
        var latency = LatencyToLast(Watch + Counting + Margin, Files);
        await using var web = await CofiWeb.StartAsync(Denoise(latency));
        var batchId = await web.SubmitAsync(web.Samples("watched", Files));
        await using var chromium = await Chromium.LaunchAsync();
        var problems = new List<string>();
        var page = await chromium.LiveDashboardAsync(web.Address, CofiWeb.ViewerToken, problems);
        await page.WaitForFunctionAsync(AllStagesSettledAFile, null, new() { Timeout = Patience });
        var devTools = await page.Context.NewCDPSessionAsync(page);

        var samples = new List<(TimeSpan At, PageMemory Memory, int Events, int Live, int Settled)>();
        var watched = System.Diagnostics.Stopwatch.StartNew();
        for (var next = TimeSpan.Zero; next <= Watch; next += Every)
        {
            if (next > watched.Elapsed) await Task.Delay(next - watched.Elapsed);
            var memory = await PageMemory.MeasureAsync(devTools, page);
            var events = await page.Locator("#events tbody tr[data-event]").CountAsync();
            var live = await page.Locator("#live li").CountAsync();
            samples.Add((next, memory, events, live, (await StagesAsync(web, batchId)).GetValueOrDefault("metadata")));
        }
        var status = await StatusAsync(web, batchId);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts.Folder("browser"), "11-running-batch-watched.png"), FullPage = true });
        var from = samples[1];
        var last = samples[^1];
        await File.WriteAllLinesAsync(Path.Combine(Artifacts.Folder("browser"), "dashboard-memory.txt"),
        [
            $"The dashboard on batch {batchId} while it ran: {Files:N0} files, denoise {latency} ms a call on {DenoiseSlots} slots " +
            $"(at most {1000.0 * DenoiseSlots / latency:N0} files/s); watched {Clock(Watch)}, sampled every {Clock(Every)} after a forced garbage collection",
            "at    | JS heap   | DOM nodes | elements | JS listeners | event log rows | live rows | files through metadata",
            .. samples.Select(s => $"{Clock(s.At),-5} | {s.Memory.HeapMiB,5:0.00} MiB | {s.Memory.Nodes,9:N0} | {s.Memory.Elements,8:N0} | {s.Memory.Listeners,12:N0} | " +
                $"{s.Events,14} | {s.Live,9} | {s.Settled:N0}"),
            $"from {Clock(from.At)} to {Clock(last.At)}: JS heap {last.Memory.HeapMiB - from.Memory.HeapMiB:+0.00;-0.00} MiB " +
            $"({(last.Memory.HeapBytes / from.Memory.HeapBytes - 1) * 100:+0.0;-0.0} %), DOM nodes {last.Memory.Nodes - from.Memory.Nodes:+0;-0}, " +
            $"JS listeners {last.Memory.Listeners - from.Memory.Listeners:+0;-0}",
            $"the batch at the end: {status.ToString().ToLowerInvariant()}, {last.Settled:N0} of {Files:N0} files through metadata",
        ]);

        status.ShouldBe(BatchStatus.Running, "the batch ran for the whole watch");
        last.Settled.ShouldBeGreaterThan(samples[0].Settled, "the page watched a batch that moved");
        // Bounded from the first sample after the page settled; the one as it opened may still count what its first
        // renders let go.
        foreach (var (at, memory, events, live, _) in samples.Skip(1))
        {
            events.ShouldBeLessThanOrEqualTo(50, $"at {Clock(at)} the event log shows one page");
            live.ShouldBeLessThanOrEqualTo(100, $"at {Clock(at)} the live list keeps its newest rows");
            memory.Nodes.ShouldBeLessThan(NodeBound, $"at {Clock(at)} the page holds a bounded number of nodes");
            memory.Listeners.ShouldBeLessThan(ListenerBound, $"at {Clock(at)} the page holds a bounded number of listeners");
            memory.HeapMiB.ShouldBeLessThan(HeapBoundMiB, $"at {Clock(at)} the page's heap is bounded");
        }

        // Another machine's latency and back again: each change replaces every latency chart.
        var machine = await page.Locator("#latency-machine option").Nth(1).GetAttributeAsync("value");
        foreach (var shown in new[] { machine, "", machine, "" })
        {
            await page.Locator("#latency-machine").SelectOptionAsync(shown!);
            await page.WaitForFunctionAsync("(key) => document.getElementById('latency-charts').dataset.key === key", $"{batchId}/{shown}", new() { Timeout = Patience });
        }
        var charts = await PageCharts.CountAsync(devTools, page);

        charts.Shown.ShouldBeGreaterThan(0);
        charts.Alive.ShouldBe(charts.Shown, "every chart taken off the page was let go");

        // The suite counts frames on the batch it watched, still running by its latency; the benchmark on a second Cofi
        // running a batch at zero latency, the fastest the nine stages update, the watched batch cancelled.
        (PageFrames Frames, List<string> Moved, string[] Report) counted;
        if (Minutes is null) counted = await CountFramesAsync(web, page, batchId);
        else
        {
            (await web.Client.PostAsync($"/api/batches/{batchId}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
            await page.Context.CloseAsync();
            await using var flatOut = await CofiWeb.StartAsync(Denoise(0));
            var flatOutId = await flatOut.SubmitAsync(flatOut.Samples("flat-out", Files));
            counted = await CountFramesAsync(flatOut, await chromium.LiveDashboardAsync(flatOut.Address, CofiWeb.ViewerToken, problems), flatOutId);
        }
        await File.WriteAllLinesAsync(Path.Combine(Artifacts.Folder("browser"), "dashboard-frames.txt"), counted.Report);

        counted.Frames.Frames.ShouldBeGreaterThan(0, "the page drew while the stages updated");
        counted.Moved.ShouldNotBeEmpty("the stages updated while frames were counted");
        problems.ShouldBeEmpty();
    }

    private static async Task<(PageFrames Frames, List<string> Moved, string[] Report)> CountFramesAsync(CofiWeb web, IPage page, long batchId)
    {
        // Counted once every stage has settled a file, so each of the nine has something to update.
        await page.WaitForFunctionAsync(AllStagesSettledAFile, null, new() { Timeout = Patience });
        var before = await StagesAsync(web, batchId);
        var windows = new List<PageFrames>();
        for (var i = 0; i < Windows; i++) windows.Add(await PageFrames.CountAsync(page, Window));
        var after = await StagesAsync(web, batchId);
        var status = await StatusAsync(web, batchId);
        var moved = after.Where(s => s.Value > before.GetValueOrDefault(s.Key)).Select(s => $"{s.Key} +{s.Value - before.GetValueOrDefault(s.Key):N0}").ToList();
        var median = windows.OrderBy(w => w.PerSecond).ElementAt(windows.Count / 2);
        string Line(PageFrames f) => $"{f.PerSecond:0.0} frames/s ({f.Frames:N0} frames in {f.Seconds:0.0} s, the longest gap {f.LongestGapMs:N0} ms); " +
            $"{f.LongTasks} long tasks, {f.LongTaskMs:N0} ms in them ({f.LongTaskMs / 10 / f.Seconds:0.0} % of the time)";
        return (median, moved,
        [
            $"The dashboard on batch {batchId} while it ran: {Files:N0} files{(Minutes is null ? "" : " at zero latency")}, " +
            $"frames counted in {windows.Count} window(s) of {Window.TotalSeconds:0} s one after the other once every stage had settled a file",
            .. windows.Select((w, i) => $"window {i + 1}: {Line(w)}"),
            .. windows.Count > 1 ? new[] { $"median: {Line(median)}" } : [],
            $"stages that moved meanwhile ({moved.Count}): {string.Join(", ", moved)}",
            $"the batch at the end: {status.ToString().ToLowerInvariant()}",
        ]);
    }

    /// <summary>
    /// The denoise latency that keeps its slots from settling <paramref name="files"/> in less than
    /// <paramref name="duration"/> from the batch's submission, whatever the machine's speed.
    /// </summary>
    private static int LatencyToLast(TimeSpan duration, int files) => (int)Math.Ceiling(duration.TotalMilliseconds * DenoiseSlots / files);

    private static string Denoise(int latencyMs) =>
        $"cofi.simulated.gpu-machines = 4\ncofi.pipeline.stage.denoise {{ slots = 2, simulated {{ latency = {latencyMs}ms, spread = 0ms }} }}";

    private static string Clock(TimeSpan at) => at.ToString(at.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>Files settled (done, failed or skipped) at each stage, as the API says now.</summary>
    private static async Task<Dictionary<string, int>> StagesAsync(CofiWeb web, long batchId)
    {
        var detail = await web.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}", CofiWeb.Json);
        return detail.GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!,
            s => s.GetProperty("done").GetInt32() + s.GetProperty("failed").GetInt32() + s.GetProperty("skipped").GetInt32());
    }

    private static async Task<BatchStatus> StatusAsync(CofiWeb web, long batchId) =>
        (await web.Client.GetFromJsonAsync<List<BatchSummary>>("/api/batches", CofiWeb.Json))!.Single(b => b.BatchId == batchId).Status;
}
