using Cofi.Web.Tests.Support;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Browser;

/// <summary>
/// The failed-files panel in a real headless Chromium: failed and quarantined files apart, paged by the server, and
/// retry-failed with its dry run's word on what goes again, quarantined files only when the operator includes them.
/// </summary>
public sealed class FailedFilesSpecs
{
    private static readonly float Patience = (float)TimeSpan.FromMinutes(1).TotalMilliseconds;

    [Fact]
    public async Task Should_list_quarantined_files_apart_and_retry_them_only_when_included()
    {
        var shots = Artifacts.Folder("browser");
        var (web, batchId) = await HungBatch.RunAsync();
        await using var _ = web;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.SignedInPageAsync(web.Address, CofiWeb.Token);
        await page.GotoAsync(web.Address);
        await Assertions.Expect(page.Locator("#batch-title")).ToHaveTextAsync(batchId.ToString(), new() { Timeout = Patience });

        // The corrupt file failed at distribution, the hanging one was quarantined at denoise.
        var rows = page.Locator("#errors tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2, new() { Timeout = Patience });
        await Assertions.Expect(page.Locator("#errors tbody tr.quarantined")).ToContainTextAsync("call-00003.wav");
        await page.CheckAsync("#errors-quarantined");
        await Assertions.Expect(rows).ToHaveCountAsync(1, new() { Timeout = Patience });
        await Assertions.Expect(rows.First).ToContainTextAsync("quarantined");
        await Assertions.Expect(page.Locator("#errors-page")).ToHaveTextAsync("page 1 of 1 (1 quarantined)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "12-quarantined.png"), FullPage = true });

        // Without the quarantined file there is nothing to retry: the dry run says so, and the operator cancels.
        await page.ClickAsync("#retry-failed");
        await Assertions.Expect(page.Locator("#confirm-detail")).ToHaveTextAsync(
            $"0 failed file(s) of batch {batchId} 'hung' go through again from the stage each failed at; 1 quarantined file(s) stay failed unless included",
            new() { Timeout = Patience });
        await page.ClickAsync("#confirm-cancel");

        await page.CheckAsync("#retry-quarantined");
        await page.SelectOptionAsync("#retry-stage", "denoise");
        await page.ClickAsync("#retry-failed");
        await Assertions.Expect(page.Locator("#confirm-detail")).ToHaveTextAsync(
            $"1 failed file(s) of batch {batchId} 'hung' at denoise go through again from the stage each failed at", new() { Timeout = Patience });
        await page.FillAsync("#confirm-reason", "machines fixed");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#submit-message")).ToHaveTextAsync($"batch {batchId}: retry-failed done", new() { Timeout = Patience });

        // The file went through denoise again: it hangs again, so it ends quarantined once more, after three more machines.
        await web.WaitForEndAsync(batchId);
        var audit = await web.Admin.GetStringAsync("/api/audit");
        audit.ShouldContain("machines fixed");
    }

    [Fact]
    public async Task Should_not_offer_retry_to_a_viewer()
    {
        await using var web = await CofiWeb.StartAsync();
        var batchId = await web.SubmitAsync(web.Samples("viewed", 4, corrupt: 1));
        await web.WaitForEndAsync(batchId);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.SignedInPageAsync(web.Address, CofiWeb.ViewerToken);
        await page.GotoAsync(web.Address);
        await Assertions.Expect(page.Locator("#batch-status")).ToHaveTextAsync("completed", new() { Timeout = Patience });

        await Assertions.Expect(page.Locator("#errors-quarantined")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#retry-failed")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#retry-quarantined")).ToBeHiddenAsync();
    }
}
