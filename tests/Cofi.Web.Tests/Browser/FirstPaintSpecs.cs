using Cofi.Actors.Batches;
using Cofi.Web.Tests.Support;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Browser;

/// <summary>
/// The dashboard opened on a finished batch in a real headless Chromium: every view on screen from pages of the batch,
/// never the whole of it. The figures (first paint, when each view was on screen, bytes fetched, heap) go to
/// .artifacts/browser/first-paint.txt; <c>scripts/bench-first-paint</c> runs it at 100,000 files
/// (<c>COFI_FIRST_PAINT_FILES</c>, default 10,000) and prints them.
/// </summary>
public sealed class FirstPaintSpecs
{
    private static readonly int Files = int.TryParse(Environment.GetEnvironmentVariable("COFI_FIRST_PAINT_FILES"), out var files) ? files : 10_000;

    private const string ZeroLatency = "cofi.pipeline.stage.denoise.simulated { latency = 0ms, spread = 0ms }";

    /// <summary>What the page shows, in the order it is waited for.</summary>
    private static readonly (string What, string Condition)[] Parts =
    [
        ("stages", "() => document.querySelectorAll('#stages tbody tr').length === 9"),
        ("throughput", "() => Number(document.getElementById('throughput-chart').dataset.points) > 0"),
        ("fleet", "() => document.querySelectorAll('#fleet-charts .machine-chart canvas').length === 4"),
        ("latency", "() => document.querySelectorAll('#latency tbody tr[data-stage]').length > 0"),
        ("event log", "() => document.querySelectorAll('#events tbody tr[data-event]').length === 50"),
    ];

    [Fact]
    public async Task Should_show_every_view_of_a_large_batch_loading_only_pages_of_it()
    {
        var shots = Artifacts.Folder("browser");
        await using var web = await CofiWeb.StartAsync(ZeroLatency);
        var batchId = await web.SubmitAsync(web.Samples("first-paint", Files));
        (await web.WaitForEndAsync(batchId, TimeSpan.FromMinutes(20))).Status.ShouldBe(BatchStatus.Completed);
        await web.DrainReadModelAsync();
        await using var chromium = await Chromium.LaunchAsync();
        var figures = new List<string>();
        IPage page = null!;
        // The first open warms the server's code paths as any viewer before would; the next ones are measured, each a
        // fresh page (no cache).
        foreach (var run in new[] { "warm", "measured 1", "measured 2", "measured 3" })
        {
            if (page is not null) await page.Context.CloseAsync();
            page = await chromium.SignedInPageAsync(web.Address, CofiWeb.ViewerToken);
            await page.GotoAsync(web.Address, new() { WaitUntil = WaitUntilState.Commit });
            var shown = new List<string>();
            foreach (var (what, condition) in Parts)
            {
                await page.WaitForFunctionAsync(condition, null, new() { Timeout = 60_000 });
                shown.Add($"{what} {await page.EvaluateAsync<double>("() => performance.now()"):0} ms");
            }
            var paint = await page.EvaluateAsync<double>("() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
            // What the page's requests to the API brought (the live stream's is open-ended and not counted), and the slowest.
            var bytes = await page.EvaluateAsync<double>("""
                () => performance.getEntriesByType('resource').filter(e => e.name.includes('/api/') && !e.name.endsWith('/api/stream'))
                  .reduce((sum, e) => sum + e.encodedBodySize, 0)
                """);
            var slowest = await page.EvaluateAsync<string>("""
                () => performance.getEntriesByType('resource').filter(e => e.name.includes('/api/') && !e.name.endsWith('/api/stream'))
                  .sort((a, b) => b.duration - a.duration).slice(0, 3).map(e => `${new URL(e.name).pathname} ${e.duration.toFixed(0)} ms`).join(', ')
                """);
            var heap = await page.EvaluateAsync<double>("() => performance.memory.usedJSHeapSize");
            figures.Add($"{run}: first contentful paint {paint:0} ms; on screen: {string.Join(", ", shown)}; {bytes / 1024:0} KiB of answers; " +
                $"JS heap {heap / 1024 / 1024:0.0} MiB; slowest: {slowest}");
            if (run != "warm")
            {
                paint.ShouldBeGreaterThan(0, "the page painted");
                bytes.ShouldBeLessThan(1024 * 1024, "no view loads the whole batch");
            }
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"8-first-paint-{Files}.png"), FullPage = true });
        await File.WriteAllLinesAsync(Path.Combine(shots, "first-paint.txt"), [$"{Files:N0} files, batch {batchId}", .. figures]);
    }
}
