using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

/// <summary>
/// <c>GET /api/batches/{id}/stragglers</c> on a real batch whose denoise calls run for 5 s, so they are seen running
/// and the stragglers among them get backup attempts on other machines.
/// </summary>
public sealed class StragglerApiSpecs
{
    /// <summary>6 files on 4 machines × 2 denoise slots: with nothing left to hand out, calls past a second get backups on the free slots.</summary>
    public const string Speculating = """
        cofi.pipeline.stage.denoise {
          speculate-after = 1s
          speculate-max = 0.5
          simulated { latency = 5s, spread = 0ms }
        }
        """;

    [Fact]
    public async Task Should_list_the_longest_running_calls_first_with_their_backups_up_to_the_limit_and_none_once_the_batch_ended()
    {
        await using var web = await CofiWeb.StartAsync(Speculating);
        var batchId = await web.SubmitAsync(web.Samples("slow", 6));

        var seen = await UntilAsync(() => StragglersAsync(web.Viewer, batchId),
            s => Calls(s).Any(c => c.GetProperty("speculation").GetString() == "backed-up"), "a call with a backup attempt");
        var calls = Calls(seen);
        calls.ShouldAllBe(c => c.GetProperty("stage").GetString() == "denoise");
        calls.ShouldAllBe(c => c.GetProperty("file").GetString()!.StartsWith("call-"));
        calls.Select(c => c.GetProperty("runningForMs").GetInt64()).ShouldBeInOrder(SortDirection.Descending);
        var backedUp = calls.First(c => c.GetProperty("speculation").GetString() == "backed-up");
        var backup = calls.Single(c => c.GetProperty("fileId").GetInt32() == backedUp.GetProperty("fileId").GetInt32() && c.GetProperty("speculation").GetString() == "backup");
        backup.GetProperty("machine").GetString().ShouldNotBe(backedUp.GetProperty("machine").GetString(), "a backup runs on another machine");
        backup.GetProperty("attempt").GetInt32().ShouldBeGreaterThan(backedUp.GetProperty("attempt").GetInt32());
        backup.GetProperty("runningForMs").GetInt64().ShouldBeLessThan(backedUp.GetProperty("runningForMs").GetInt64());
        var denoise = seen.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "denoise");
        denoise.GetProperty("backups").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        denoise.GetProperty("calls").GetInt32().ShouldBeGreaterThanOrEqualTo(6);

        var limited = Calls(await StragglersAsync(web.Viewer, batchId, "?limit=2"));
        limited.Count.ShouldBe(2);
        limited.ShouldAllBe(c => c.GetProperty("speculation").GetString() != "backup", "the two longest running are first calls, not backups");

        await web.WaitForEndAsync(batchId);
        var ended = await StragglersAsync(web.Viewer, batchId);
        Calls(ended).ShouldBeEmpty();
        ended.GetProperty("batchId").GetInt64().ShouldBe(batchId);
    }

    [Fact]
    public async Task Should_answer_404_for_an_unknown_batch_and_400_for_a_limit_out_of_range()
    {
        await using var web = await CofiWeb.StartAsync();
        var batchId = await web.SubmitAsync(web.Samples("quick", 2));

        var unknown = await (await web.Viewer.GetAsync("/api/batches/999999/stragglers")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        unknown.GetProperty("detail").GetString().ShouldBe("there is no batch 999999");
        foreach (var limit in new[] { "0", "201", "-3" })
        {
            var bad = await (await web.Viewer.GetAsync($"/api/batches/{batchId}/stragglers?limit={limit}")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
            bad.GetProperty("errors").GetProperty("limit")[0].GetString().ShouldBe("must be between 1 and 200");
        }
        (await web.Viewer.GetAsync($"/api/batches/{batchId}/stragglers?limit=200")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static List<JsonElement> Calls(JsonElement stragglers) => stragglers.GetProperty("calls").EnumerateArray().ToList();

    private static async Task<JsonElement> StragglersAsync(HttpClient client, long batchId, string query = "")
    {
        var response = await client.GetAsync($"/api/batches/{batchId}/stragglers{query}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> UntilAsync(Func<Task<JsonElement>> ask, Func<JsonElement, bool> holds, string what)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var answer = await ask();
            if (holds(answer)) return answer;
            if (elapsed.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException($"{what}: not within a minute; the last answer was {answer}");
            await Task.Delay(100);
        }
    }
}
