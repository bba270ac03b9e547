using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Web.Tests.Support;
using Microsoft.Playwright;

namespace Cofi.Web.Tests.Browser;

/// <summary>
/// The queue view in a real headless Chromium: a running batch paused and cancelled from the page, each confirmed
/// with a reason; a GPU machine removed from the machines table the same way.
/// </summary>
public sealed class QueueSpecs
{
    private static readonly float Patience = (float)TimeSpan.FromMinutes(2).TotalMilliseconds;

    /// <summary>Slow enough denoise calls that the batch is still running when the page acts on it.</summary>
    /// <summary>A batch name that is HTML: the page must show it as these characters, never run it.</summary>
    private const string HtmlName = "<img src=x onerror=window.__cofiInjected=1> march";

    private const string Slow = "cofi.pipeline.stage.denoise.simulated { latency = 200ms, spread = 0ms }";

    [Fact]
    public async Task Should_pause_and_cancel_a_running_batch_from_the_queue_only_once_confirmed()
    {
        var shots = Artifacts.Folder("browser");
        await using var web = await CofiWeb.StartAsync(Slow);
        var input = web.Samples("queue", 400);
        await using var chromium = await Chromium.LaunchAsync();
        var problems = new List<string>();
        // The page is up before the batch starts, so a slow browser start cannot miss it running.
        var page = await chromium.LiveDashboardAsync(web.Address, CofiWeb.Token, problems);
        var submitted = await web.Client.PostAsJsonAsync("/api/batches", new { input = input, name = HtmlName }, CofiWeb.Json);
        submitted.StatusCode.ShouldBe(HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
        var batchId = (await submitted.Content.ReadFromJsonAsync<JsonElement>(CofiWeb.Json)).GetProperty("batchId").GetInt64();
        var row = page.Locator($"#queue tbody tr[data-batch='{batchId}']");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "running", new() { Timeout = Patience });
        (await row.Locator("td").Nth(1).TextContentAsync()).ShouldBe(HtmlName, "the batch's name is shown as the characters it is");
        // While it runs, the ETA says what it rests on, and no stage shows a negative one.
        await Assertions.Expect(page.Locator("#eta")).ToContainTextAsync("ETA", new() { Timeout = Patience });
        (await page.Locator("#stages td.eta").AllTextContentsAsync()).ShouldAllBe(eta => !eta.Contains('-'));

        await row.Locator("button[data-action=pause]").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#confirm-title")).ToHaveTextAsync($"pause batch {batchId}?");
        await page.FillAsync("#confirm-reason", "GPU maintenance");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "6-queue-confirm.png"), FullPage = true });
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "paused", new() { Timeout = Patience });
        (await StatusAsync(web, batchId)).ShouldBe("paused");

        // Backing out of the confirmation changes nothing; the dialog said what cancelling would do.
        await row.Locator("button[data-action=cancel]").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-detail")).ToContainTextAsync("ends as cancelled", new() { Timeout = Patience });
        await page.ClickAsync("#confirm-cancel");
        await Assertions.Expect(page.Locator("#confirm")).ToBeHiddenAsync();
        (await StatusAsync(web, batchId)).ShouldBe("paused");

        await row.Locator("button[data-action=cancel]").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-detail")).ToContainTextAsync("ends as cancelled", new() { Timeout = Patience });
        await page.FillAsync("#confirm-reason", "wrong input");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#queue tbody")).ToContainTextAsync("no batch is running or waiting", new() { Timeout = Patience });
        (await StatusAsync(web, batchId)).ShouldBe("cancelled");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "7-queue-cancelled.png"), FullPage = true });

        // A machine action asks the same way, with what the server says it would affect.
        await page.Locator("#machines tbody tr[data-machine=gpu-4] button[data-action=remove]").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-detail")).ToContainTextAsync("gpu-4 takes no more work", new() { Timeout = Patience });
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#submit-message")).ToHaveTextAsync("GPU machine gpu-4 removed", new() { Timeout = Patience });
        (await page.EvaluateAsync<bool>("() => window.__cofiInjected === undefined")).ShouldBeTrue("a batch name was run as HTML");
        (await page.Locator("img").CountAsync()).ShouldBe(0, "a batch name became an element");
        problems.ShouldBeEmpty();
    }

    [Fact]
    public async Task Should_submit_with_a_name_and_priority_and_change_priority_and_weight_once_confirmed()
    {
        await using var web = await CofiWeb.StartAsync(Slow);
        var input = web.Samples("ranked", 400);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.LiveDashboardAsync(web.Address, CofiWeb.Token, []);

        await page.FillAsync("#submit-input", input);
        await page.FillAsync("#submit-name", "march calls");
        await page.FillAsync("#submit-priority", "3");
        await page.ClickAsync("#submit-form button[type=submit]");
        await Assertions.Expect(page.Locator("#submit-message")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^batch [0-9]+ submitted$"), new() { Timeout = Patience });
        var batchId = long.Parse((await page.Locator("#submit-message").TextContentAsync())!.Split(' ')[1]);
        var row = page.Locator($"#queue tbody tr[data-batch='{batchId}']");
        await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("march calls", new() { Timeout = Patience });
        await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("3");

        await row.Locator("button[data-action=priority]").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-title")).ToHaveTextAsync($"priority of batch {batchId}?", new() { Timeout = Patience });
        await Assertions.Expect(page.Locator("#confirm-field-priority")).ToHaveValueAsync("3");
        await Assertions.Expect(page.Locator("#confirm-field-weight")).ToHaveValueAsync("1");
        await page.FillAsync("#confirm-field-priority", "9");
        await page.FillAsync("#confirm-field-weight", "2.5");
        await page.FillAsync("#confirm-reason", "customer escalation");
        await page.ClickAsync("#confirm-ok");

        await Assertions.Expect(page.Locator("#submit-message")).ToHaveTextAsync($"batch {batchId}: priority set", new() { Timeout = Patience });
        await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("9", new() { Timeout = Patience });
        var batch = await web.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}", CofiWeb.Json);
        var summary = batch.GetProperty("batch");
        (summary.GetProperty("priority").GetInt32(), summary.GetProperty("weight").GetDouble(), summary.GetProperty("name").GetString()).ShouldBe((9, 2.5, "march calls"));
        (await web.Admin.GetStringAsync("/api/audit")).ShouldContain("customer escalation");
    }

    [Fact]
    public async Task Should_show_a_viewer_the_queue_and_the_machines_without_their_actions()
    {
        await using var web = await CofiWeb.StartAsync(Slow);
        var input = web.Samples("viewer", 400);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.SignedInPageAsync(web.Address, CofiWeb.ViewerToken);
        await page.GotoAsync(web.Address);
        await Assertions.Expect(page.Locator("#session")).ToHaveTextAsync("dashboard (viewer)", new() { Timeout = Patience });
        var batchId = await web.SubmitAsync(input);

        var row = page.Locator($"#queue tbody tr[data-batch='{batchId}']");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "running", new() { Timeout = Patience });
        var machine = page.Locator("#machines tbody tr[data-machine=gpu-4]");
        await Assertions.Expect(machine).ToBeVisibleAsync(new() { Timeout = Patience });
        // Drawn for every session, shown to operators only.
        foreach (var action in new[] { row.Locator("button[data-action=pause]"), row.Locator("button[data-action=cancel]"), row.Locator("button[data-action=priority]"), machine.Locator("button") })
        {
            (await action.CountAsync()).ShouldBe(1);
            await Assertions.Expect(action).ToBeHiddenAsync();
        }
    }

    private static async Task<string> StatusAsync(CofiWeb web, long batchId) =>
        (await web.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}")).GetProperty("batch").GetProperty("status").GetString()!;
}
