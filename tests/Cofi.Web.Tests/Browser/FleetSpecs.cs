using Cofi.Web.Tests.Support;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Browser;

/// <summary>The fleet view in a real headless Chromium, on a batch whose denoise calls fail often enough to open GPU machines' breakers.</summary>
public sealed class FleetSpecs
{
    private static readonly float Patience = (float)TimeSpan.FromMinutes(3).TotalMilliseconds;

    /// <summary>Most denoise calls fail transiently (and are retried), so breakers open; short breaks keep the batch short.</summary>
    private const string Flaky = """
        cofi.gpu.circuit-breaker { break-duration = 500ms, minimum-throughput = 4 }
        cofi.pipeline.stage.denoise { max-attempts = 10, simulated { transient-rate = 0.6 } }
        """;

    [Fact]
    public async Task Should_mark_on_each_machines_chart_when_its_breaker_opened()
    {
        var shots = Artifacts.Folder("browser");
        await using var web = await CofiWeb.StartAsync(Flaky);
        var batchId = await web.SubmitAsync(web.Samples("fleet", 80));
        await web.WaitForEndAsync(batchId, TimeSpan.FromMinutes(3));
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.SignedInPageAsync(web.Address, CofiWeb.Token, height: 1400);
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add(error);
        await page.GotoAsync(web.Address);

        // Newest first: each opening, then its probe (HalfOpen) and closing.
        await Assertions.Expect(page.Locator("#circuits li", new() { HasText = "breaker Open" }).First).ToBeVisibleAsync(new() { Timeout = Patience });
        var opened = page.Locator("#fleet-charts .machine-chart", new() { HasText = "breaker opened" });
        await Assertions.Expect(opened.First).ToBeVisibleAsync(new() { Timeout = Patience });
        // The opening is drawn on the machine's chart as a red line across it.
        var red = await opened.Locator("canvas").EvaluateAllAsync<int[]>("""
            canvases => canvases.map(c => {
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let n = 0;
              for (let i = 0; i < d.length; i += 4) if (d[i] === 0xc0 && d[i + 1] === 0x39 && d[i + 2] === 0x2b) n++;
              return n;
            })
            """);
        await page.Locator("#fleet-panel").ScreenshotAsync(new() { Path = Path.Combine(shots, "9-fleet-breakers.png") });
        red.ShouldAllBe(pixels => pixels > 20, "every machine whose breaker opened has the opening drawn");
        problems.ShouldBeEmpty();
    }
}
