using Cofi.Web.Tests.Api;
using Cofi.Web.Tests.Support;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Browser;

/// <summary>
/// The stragglers view in a real headless Chromium: a running batch's longest calls, a straggler with its backup on
/// another machine, the backups per stage, and a file whose name is HTML shown as the characters it is.
/// </summary>
public sealed class StragglersSpecs
{
    private static readonly float Patience = (float)TimeSpan.FromMinutes(1).TotalMilliseconds;

    private const string HtmlFile = "<img src=x onerror=window.__cofiInjected=1>.wav";

    [Fact]
    public async Task Should_show_the_running_batch_s_longest_calls_with_their_backups_as_text()
    {
        var shots = Artifacts.Folder("browser");
        await using var web = await CofiWeb.StartAsync(StragglerApiSpecs.Speculating);
        var input = web.Samples("stragglers", 6);
        File.Move(Path.Combine(input, "call-00006.wav"), Path.Combine(input, HtmlFile));
        await using var chromium = await Chromium.LaunchAsync();
        var problems = new List<string>();
        var page = await chromium.LiveDashboardAsync(web.Address, CofiWeb.ViewerToken, problems);
        await web.SubmitAsync(input);

        var rows = page.Locator("#stragglers tbody tr[data-speculation]");
        await Assertions.Expect(page.Locator("#stragglers tbody tr[data-speculation=backup]").First).ToBeVisibleAsync(new() { Timeout = Patience });
        var backup = page.Locator("#stragglers tbody tr[data-speculation=backup]").First;
        var file = await backup.GetAttributeAsync("data-file");
        var backedUp = page.Locator("#stragglers tbody tr[data-speculation=backed-up]").Filter(new() { Has = page.Locator($"td:text-is(\"{file}\")") });
        (await backedUp.CountAsync()).ShouldBe(1, $"{file}'s first call is shown beside its backup");
        (await backup.Locator("td").Nth(2).TextContentAsync()).ShouldNotBe(await backedUp.Locator("td").Nth(2).TextContentAsync(), "the backup runs on another machine");
        (await rows.Locator("td:nth-child(1)").AllTextContentsAsync()).ShouldAllBe(stage => stage == "denoise");
        var seconds = (await rows.Locator("td:nth-child(5)").AllTextContentsAsync()).Select(t => double.Parse(t.TrimEnd(' ', 's'), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        seconds.ShouldBeInOrder(SortDirection.Descending, "longest running first");
        (await page.Locator("#stragglers tbody td").AllTextContentsAsync()).ShouldContain(HtmlFile, "the file's name is shown as the characters it is");
        await Assertions.Expect(page.Locator("#speculation tbody tr[data-stage=denoise] td.backups")).Not.ToHaveTextAsync("0", new() { Timeout = Patience });
        await page.Locator("#stragglers-panel").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "10-stragglers.png"), FullPage = true });

        (await page.EvaluateAsync<bool>("() => window.__cofiInjected === undefined")).ShouldBeTrue("a file name was run as HTML");
        (await page.Locator("img").CountAsync()).ShouldBe(0, "a file name became an element");
        problems.ShouldBeEmpty();
    }
}
