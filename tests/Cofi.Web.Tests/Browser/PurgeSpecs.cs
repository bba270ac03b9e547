using Cofi.Web.Tests.Support;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Browser;

/// <summary>The purge action in a real headless Chromium: an admin purges an ended batch after the dry run's word on what goes; weaker roles never see it.</summary>
public sealed class PurgeSpecs
{
    private static readonly float Patience = (float)TimeSpan.FromMinutes(1).TotalMilliseconds;

    [Fact]
    public async Task Should_let_an_admin_purge_an_ended_batch_once_confirmed_and_drop_it_from_the_list()
    {
        var shots = Artifacts.Folder("browser");
        await using var web = await CofiWeb.StartAsync();
        var kept = await web.SubmitAsync(web.Samples("kept", 2));
        var purged = await web.SubmitAsync(web.Samples("to-purge", 3));
        await web.WaitForEndAsync(kept);
        await web.WaitForEndAsync(purged);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.SignedInPageAsync(web.Address, CofiWeb.AdminToken);
        await page.GotoAsync(web.Address);
        await Assertions.Expect(page.Locator("#batch-title")).ToHaveTextAsync(purged.ToString(), new() { Timeout = Patience });

        await page.ClickAsync("#purge");
        await Assertions.Expect(page.Locator("#confirm-detail")).ToContainTextAsync($"batch {purged} 'to-purge' (completed) and all its data", new() { Timeout = Patience });
        await page.FillAsync("#confirm-reason", "caller asked");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "11-purge-confirm.png"), FullPage = true });
        await page.ClickAsync("#confirm-ok");

        await Assertions.Expect(page.Locator("#submit-message")).ToHaveTextAsync($"batch {purged} purged", new() { Timeout = Patience });
        await Assertions.Expect(page.Locator($"#batches tbody tr[data-batch='{purged}']")).ToHaveCountAsync(0, new() { Timeout = Patience });
        await Assertions.Expect(page.Locator($"#batches tbody tr[data-batch='{kept}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#batch-title")).ToHaveTextAsync(kept.ToString(), new() { Timeout = Patience });
        (await web.Client.GetAsync($"/api/batches/{purged}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_let_an_admin_prune_the_ended_batches_by_age_after_the_dry_run()
    {
        await using var web = await CofiWeb.StartAsync();
        var first = await web.SubmitAsync(web.Samples("old-one", 2));
        var second = await web.SubmitAsync(web.Samples("old-two", 2));
        await web.WaitForEndAsync(first);
        await web.WaitForEndAsync(second);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.SignedInPageAsync(web.Address, CofiWeb.AdminToken);
        await page.GotoAsync(web.Address);
        await Assertions.Expect(page.Locator("#batches tbody tr")).ToHaveCountAsync(2, new() { Timeout = Patience });

        // Every batch that ended longer ago than no time at all: both.
        await page.FillAsync("#prune-age", "0m");
        await page.ClickAsync("#prune-form button[type=submit]");
        await Assertions.Expect(page.Locator("#confirm-detail")).ToContainTextAsync("2 batches that ended before", new() { Timeout = Patience });
        await page.FillAsync("#confirm-reason", "retention test");
        await page.ClickAsync("#confirm-ok");

        await Assertions.Expect(page.Locator("#submit-message")).ToHaveTextAsync("batches that ended over 0m ago pruned", new() { Timeout = Patience });
        await Assertions.Expect(page.Locator("#batches tbody tr[data-batch]")).ToHaveCountAsync(0, new() { Timeout = Patience });
        (await web.Client.GetAsync($"/api/batches/{first}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        (await web.Client.GetAsync($"/api/batches/{second}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(CofiWeb.ViewerToken)]
    [InlineData(CofiWeb.Token)]
    public async Task Should_not_show_the_purge_action_to_a_viewer_or_an_operator(string token)
    {
        await using var web = await CofiWeb.StartAsync();
        var batchId = await web.SubmitAsync(web.Samples("ended", 2));
        await web.WaitForEndAsync(batchId);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.SignedInPageAsync(web.Address, token);
        await page.GotoAsync(web.Address);
        await Assertions.Expect(page.Locator("#batch-status")).ToHaveTextAsync("completed", new() { Timeout = Patience });

        (await page.Locator("#purge").CountAsync()).ShouldBe(1);
        await Assertions.Expect(page.Locator("#purge")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#prune-form")).ToBeHiddenAsync();
    }
}
