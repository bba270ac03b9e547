using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;
using Cofi.Web.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Cofi.Host.Tests.Cluster;

/// <summary>
/// Two standing coordinators (<c>serve</c>) on one MariaDB database, a Lighthouse and two GPU nodes, all real processes.
/// A batch submitted to the standby's API runs on the active coordinator while the standby's dashboard (a real
/// Chromium) shows it live; when the active one is killed, the standby's API keeps answering and the standby takes the
/// batch over and finishes it. Prints the failover figure; screenshots go to .artifacts/browser/.
/// </summary>
public sealed class ServiceClusterSpecs(ITestOutputHelper output) : IDisposable
{
    // Calls of 250 ms: at 100 ms the batch took about 6 s on two nodes and could end before the standby's page, a relay
    // and an SSE push behind, had shown a quarter done. It must still be running when the active coordinator is killed.
    private const int Files = 400;
    private const int LatencyMs = 250;
    private static readonly float BrowserPatience = (float)ClusterRig.Patience.TotalMilliseconds;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_keep_the_standbys_api_and_dashboard_answering_while_it_takes_over_a_batch_submitted_to_it()
    {
        using var db = new MySqlTestDatabase();
        await using var rig = new ClusterRig(_dir, Files, db.ConnectionString);
        await rig.LighthouseUpAsync();
        // Started one after the other, so the first is the oldest coordinator and runs the singleton.
        using var active = await ServedCoordinator.StartAsync(rig, "c1", LatencyMs);
        using var standby = await ServedCoordinator.StartAsync(rig, "c2", LatencyMs);
        var nodes = new[] { await rig.StartGpuNodeUpAsync("n1", LatencyMs), await rig.StartGpuNodeUpAsync("n2", LatencyMs) };
        await active.ReadyAsync();
        await standby.ReadyAsync();
        var everyone = new[] { active.Process, standby.Process, rig.Lighthouse }.Concat(nodes).ToArray();
        var shots = Artifacts.Folder("browser");
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1400 } });
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add(error);

        try
        {
            await page.GotoAsync(standby.Address.ToString());
            await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = BrowserPatience });

            using var submitted = await standby.Http.PostAsJsonAsync("api/batches", new { input = rig.Input });
            submitted.StatusCode.ShouldBe(HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
            (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetInt64().ShouldBe(1);
            await ClusterRig.Until(() => active.Process.Stdout.Contains("node c1: running batch 1 "), "batch 1 running on the active coordinator", everyone);
            standby.Process.Stdout.ShouldNotContain("running batch");

            // The standby's page shows the active coordinator's progress as it grows.
            var first = await DoneAtLeastAsync(page, "denoise", 1);
            var atKill = await DoneAtLeastAsync(page, "denoise", Math.Max(first + 1, Files / 4));
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "standby-1-live.png"), FullPage = true });

            active.Process.Stdout.ShouldNotContain("batch 1: completed");
            var killedAt = DateTimeOffset.UtcNow;
            active.Process.Kill();
            var poller = ApiPoller.Start(standby.Http, "api/batches", TimeSpan.FromMilliseconds(100));
            // A command sent now goes to the dead singleton: it cannot be answered, and says so.
            var command = ApiPoller.SendAsync(standby.Http, HttpMethod.Post, "api/batches/999/cancel");
            var detail = await Poll.UntilAsync(() => ApiPoller.SendAsync(standby.Http, HttpMethod.Get, "api/batches/1"), r => r.AnsweredBy is not null,
                "batch 1 answered from the standby's live progress", ClusterRig.Patience, r => $"{r.Status} {r.Body}");
            await ClusterRig.Until(() => standby.Process.Stdout.Contains("node c2: running batch 1 "), "standby took over", everyone);
            var tookOverAt = DateTimeOffset.UtcNow;
            await DoneAtLeastAsync(page, "denoise", atKill + 1);
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "standby-2-taken-over.png"), FullPage = true });
            await ClusterRig.Until(() => standby.Process.Stdout.Contains("node c2: batch 1: completed"), "batch completed on the standby", everyone);
            var requests = await poller.StopAsync();
            await Assertions.Expect(page.Locator("#batch-status")).ToHaveTextAsync("completed", new() { Timeout = BrowserPatience });
            await page.WaitForFunctionAsync("""
                total => [...document.querySelectorAll('#stages tbody tr')].every(r => r.dataset.completed === 'true' && r.dataset.settled === String(total))
                """, Files, new() { Timeout = BrowserPatience });
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "standby-3-completed.png"), FullPage = true });

            Report(requests, killedAt, tookOverAt);
            detail.Status.ShouldBe((int)HttpStatusCode.OK, detail.Body);
            using (var batch = JsonDocument.Parse(detail.Body))
            {
                batch.RootElement.GetProperty("batch").GetProperty("status").GetString().ShouldBe("running");
                batch.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "denoise")
                    .GetProperty("done").GetInt32().ShouldBeGreaterThanOrEqualTo(atKill);
            }
            (await command).Status.ShouldBe((int)HttpStatusCode.ServiceUnavailable, (await command).Body);
            var unanswered = requests.Where(r => r.Status != (int)HttpStatusCode.OK).ToList();
            unanswered.ShouldBeEmpty(string.Join("\n", unanswered.Take(20).Select(r => $"{r.SentAt - killedAt} {r.Status} {r.Latency} {r.Failure} {r.Body}")));
            requests.ShouldAllBe(r => ListsBatchOne(r.Body), "every answer lists batch 1");
            await JournalChecks.ShouldHaveRecordedEveryFileOnceAsync(db.Settings, Files);
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "standby-failure.png"), FullPage = true });
            throw new TimeoutException($"{e.Message}\npage errors: [{string.Join("; ", problems)}]\nstages:\n{await page.InnerTextAsync("#stages")}", e);
        }
        problems.ShouldBeEmpty();
    }

    /// <summary>The figure: how the standby's API answered from the kill to the takeover, and how long the takeover took.</summary>
    private void Report(IReadOnlyList<ApiPoller.Request> requests, DateTimeOffset killedAt, DateTimeOffset tookOverAt)
    {
        var during = requests.Where(r => r.SentAt <= tookOverAt).Select(r => r.Latency).ToList();
        var statuses = string.Join(", ", requests.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {(g.Key == 0 ? "no answer" : g.Key)}"));
        output.WriteLine($"failover: standby API (GET /api/batches every 100 ms) from kill to takeover: {during.Count} requests, " +
                         $"median {Ms(ApiPoller.Percentile(during, 0.5))}, p95 {Ms(ApiPoller.Percentile(during, 0.95))}, max {Ms(ApiPoller.Percentile(during, 1))}");
        output.WriteLine($"failover: takeover (kill to 'running batch 1' on the standby) {(tookOverAt - killedAt).TotalSeconds:0.0} s; " +
                         $"from kill to batch completed {requests.Count} requests: {statuses}, {requests.Count(r => r.AnsweredBy is not null)} answered from live progress");
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    private static bool ListsBatchOne(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.EnumerateArray().Any(b => b.GetProperty("batchId").GetInt64() == 1);
    }

    /// <summary>Waits until the page shows at least <paramref name="least"/> files done at the stage; returns what it shows.</summary>
    private static async Task<int> DoneAtLeastAsync(IPage page, string stage, int least)
    {
        var done = await page.WaitForFunctionAsync("""
            ([stage, least]) => {
              const row = document.getElementById('stage-' + stage);
              const done = row ? Number(row.cells[2].textContent) : 0;
              return done >= least ? done : false;
            }
            """, new object[] { stage, least }, new() { Timeout = BrowserPatience });
        return await done.JsonValueAsync<int>();
    }

    public void Dispose() => _dir.Dispose();
}
