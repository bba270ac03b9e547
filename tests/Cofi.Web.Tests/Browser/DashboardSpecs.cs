using System.Globalization;
using Cofi.Web.Tests.Support;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Browser;

/// <summary>The dashboard in a real headless Chromium against a real Cofi: screenshots go to .artifacts/browser/.</summary>
public sealed class DashboardSpecs
{
    private const int Files = 200;
    private const int Corrupt = 4;

    /// <summary>A file name that is HTML: the dashboard must show it as these characters, never run it.</summary>
    private const string HtmlName = "<img src=x onerror=window.__cofiInjected=1>.wav";

    private static readonly float Patience = (float)TimeSpan.FromMinutes(3).TotalMilliseconds;

    [Fact]
    public async Task Should_sign_a_viewer_in_hide_what_the_role_cannot_do_and_sign_out()
    {
        await using var web = await CofiWeb.StartAsync();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add(error);

        await page.GotoAsync(web.Address);
        await Assertions.Expect(page.Locator("#sign-in-message")).ToHaveTextAsync("sign in with an API token");
        await page.FillAsync("#token", "not-a-token");
        await page.ClickAsync("#sign-in button[type=submit]");
        await Assertions.Expect(page.Locator("#sign-in-message")).ToHaveTextAsync("the token sent is not a known token");
        await page.FillAsync("#token", CofiWeb.ViewerToken);
        await page.ClickAsync("#sign-in button[type=submit]");

        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = Patience });
        await Assertions.Expect(page.Locator("#session")).ToHaveTextAsync("dashboard (viewer)");
        await Assertions.Expect(page.Locator("#submit-form")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#pause")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#sign-in")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#audit-panel")).ToBeHiddenAsync();
        (await page.EvaluateAsync<string>("() => document.cookie")).ShouldBe("", "the session cookie is HttpOnly");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#session")).ToHaveTextAsync("dashboard (viewer)");
        await page.ClickAsync("#sign-out");
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("signed out");
        problems.ShouldBeEmpty();
    }

    [Fact]
    public async Task Should_show_an_admin_the_audit_trail_with_the_refused_sign_in()
    {
        await using var web = await CofiWeb.StartAsync();
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();

        await page.GotoAsync(web.Address);
        await page.FillAsync("#token", "a-guess");
        await page.ClickAsync("#sign-in button[type=submit]");
        await Assertions.Expect(page.Locator("#sign-in-message")).ToHaveTextAsync("the token sent is not a known token");
        await page.FillAsync("#token", CofiWeb.AdminToken);
        await page.ClickAsync("#sign-in button[type=submit]");

        await Assertions.Expect(page.Locator("#session")).ToHaveTextAsync("root (admin)");
        await Assertions.Expect(page.Locator("#audit-panel")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#audit tbody tr[data-action=SignIn][data-outcome='401']")).ToHaveCountAsync(1, new() { Timeout = Patience });
        await Assertions.Expect(page.Locator("#submit-form")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Should_show_a_batch_submitted_from_the_page_from_start_to_every_stage_done()
    {
        var shots = Artifacts.Folder("browser");
        await using var web = await CofiWeb.StartAsync();
        var input = web.Samples("dashboard", Files, Corrupt);
        File.Copy(Path.Combine(input, "call-00001.wav"), Path.Combine(input, HtmlName));
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1400 } });
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add(error);

        try
        {
            await page.GotoAsync(web.Address);
            await page.FillAsync("#token", CofiWeb.Token);
            await page.ClickAsync("#sign-in button[type=submit]");
            await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = Patience });
            await page.FillAsync("#submit-input", input);
            await page.ClickAsync("#submit-form button[type=submit]");
            await Assertions.Expect(page.Locator("#submit-message")).ToContainTextAsync("submitted", new() { Timeout = Patience });
            // Every stage's bar ends at its final count: all files settled, and the stage marked complete.
            await page.WaitForFunctionAsync("""
                total => {
                  const rows = [...document.querySelectorAll('#stages tbody tr')];
                  return rows.length === 9 && rows.every(r => r.dataset.completed === 'true' && r.dataset.settled === String(total));
                }
                """, Files + 1, new() { Timeout = Patience });
            await Assertions.Expect(page.Locator("#batch-status")).ToHaveTextAsync("completed", new() { Timeout = Patience });
            // The GPU machines panel is refreshed when the batch ends, and the throughput chart (uPlot, served from the
            // host's own files) holds the batch's history with a series per stage.
            await page.WaitForFunctionAsync("""
                () => [...document.querySelectorAll('#machines tbody tr')].some(r => Number(r.cells[4].textContent) > 0)
                """, null, new() { Timeout = Patience });
            await Assertions.Expect(page.Locator("#eta")).ToHaveTextAsync("done", new() { Timeout = Patience });
            var points = await ThroughputPointsAsync(page);
            points.ShouldBeGreaterThan(0);
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "1-progress.png"), FullPage = true });
            var stages = await page.Locator("#stages tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.stage)");
            stages.ShouldBe(["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"]);
            (await page.Locator("#stage-distribution td").Nth(3).TextContentAsync()).ShouldBe(Corrupt.ToString(), "the corrupt files failed at distribution");

            // A reload (a late viewer) sees the same history, kept by the server, not by the page.
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("#eta")).ToHaveTextAsync("done", new() { Timeout = Patience });
            (await ThroughputPointsAsync(page)).ShouldBe(points);
            (await page.Locator("#throughput-chart .u-legend .u-series").CountAsync()).ShouldBe(10, "time and the nine stages");

            // Fleet: a chart per GPU machine of its slots busy per stage over time.
            await Assertions.Expect(page.Locator("#fleet-charts .machine-chart canvas")).ToHaveCountAsync(4, new() { Timeout = Patience });
            await Assertions.Expect(page.Locator("#fleet-charts .machine-chart h4").First).ToContainTextAsync("done");
            await page.Locator("#fleet-panel").ScreenshotAsync(new() { Path = Path.Combine(shots, "4-fleet.png") });

            // Latency: p50 / p95 / p99 per stage, every machine or one chosen, with a histogram per stage.
            await Assertions.Expect(page.Locator("#latency tbody tr[data-stage=denoise]")).ToHaveCountAsync(1, new() { Timeout = Patience });
            var p50 = double.Parse((await page.Locator("#latency tbody tr[data-stage=denoise] td").Nth(2).TextContentAsync())!, CultureInfo.InvariantCulture);
            p50.ShouldBeInRange(30, 100, "denoise calls take 50 ms in this configuration");
            await Assertions.Expect(page.Locator("#latency-charts .latency-chart canvas").First).ToBeVisibleAsync();
            await page.SelectOptionAsync("#latency-machine", "gpu-1");
            await Assertions.Expect(page.Locator("#latency-machine")).ToHaveValueAsync("gpu-1");
            await page.WaitForFunctionAsync("""
                () => { const r = document.querySelector('#latency tbody tr[data-stage=denoise]'); return r && Number(r.cells[1].textContent) < 200; }
                """, null, new() { Timeout = Patience });
            await page.Locator("#latency-panel").ScreenshotAsync(new() { Path = Path.Combine(shots, "5-latency.png") });

            await web.DrainReadModelAsync();
            await page.SelectOptionAsync("#filter-type", "file_error");
            await page.ClickAsync("#event-filters button[type=submit]");
            var errorRow = page.Locator("#events tbody tr").First;
            await Assertions.Expect(page.Locator("#events tbody tr")).ToHaveCountAsync(Corrupt, new() { Timeout = Patience });
            var ids = await page.Locator("#events tbody tr").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.event))");
            ids.ShouldBe(ids.OrderByDescending(id => id).ToArray(), "the log opens on its newest rows");
            // The filters are in the address: opened elsewhere, it shows the same view.
            var shared = page.Url;
            shared.ShouldContain("type=file_error");
            var other = await chromium.SignedInPageAsync(web.Address, CofiWeb.ViewerToken);
            await other.GotoAsync(shared);
            await Assertions.Expect(other.Locator("#filter-type")).ToHaveValueAsync("file_error", new() { Timeout = Patience });
            await Assertions.Expect(other.Locator("#events tbody tr")).ToHaveCountAsync(Corrupt, new() { Timeout = Patience });
            await other.CloseAsync();
            await errorRow.ClickAsync();
            await Assertions.Expect(page.Locator("#payload")).ToContainTextAsync("\"error\"");
            await Assertions.Expect(page.Locator("#payload")).ToContainTextAsync("file_error");
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "2-event-payload.png"), FullPage = true });

            await page.FillAsync("#file-query", "onerror");
            await page.ClickAsync("#file-search button[type=submit]");
            var result = page.Locator("#file-results li").First;
            await Assertions.Expect(result).ToContainTextAsync(HtmlName, new() { Timeout = Patience });
            await result.ClickAsync();
            await Assertions.Expect(page.Locator("#timeline tbody tr.stage-row")).ToHaveCountAsync(9, new() { Timeout = Patience });
            (await page.Locator("#timeline-title").TextContentAsync()).ShouldBe(HtmlName);
            await Assertions.Expect(page.Locator("#timeline tbody tr.attempt-row[data-stage=denoise]")).ToContainTextAsync("done");
            // The Gantt: a lane per stage, a bar per attempt.
            await Assertions.Expect(page.Locator("#gantt .lane")).ToHaveCountAsync(9);
            await Assertions.Expect(page.Locator("#gantt .lane[data-stage=denoise] .attempt")).ToHaveCountAsync(1);
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "3-file-timeline.png"), FullPage = true });

            (await page.EvaluateAsync<bool>("() => window.__cofiInjected === undefined")).ShouldBeTrue("a file name was run as HTML");
            (await page.Locator("img").CountAsync()).ShouldBe(0, "a file name became an element");
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            // What the page showed and any script errors, so a wait that ran out says why.
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "failure.png"), FullPage = true });
            throw new TimeoutException($"{e.Message}\npage errors: [{string.Join("; ", problems)}]\nstages:\n{await page.InnerTextAsync("#stages")}" +
                $"\nconnection: {await page.InnerTextAsync("#connection")}, figures: {await page.InnerTextAsync("#figures")}", e);
        }
        problems.ShouldBeEmpty();
    }

    /// <summary>The points of the throughput chart, once it has drawn some.</summary>
    private static async Task<int> ThroughputPointsAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => Number(document.getElementById('throughput-chart').dataset.points) > 0 && document.querySelector('#throughput-chart canvas')",
            null, new() { Timeout = Patience });
        return int.Parse((await page.Locator("#throughput-chart").GetAttributeAsync("data-points"))!, CultureInfo.InvariantCulture);
    }
}
