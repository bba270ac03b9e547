using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class BatchApiSpecs(CompletedBatch batch)
{
    private CofiWeb Web => batch.Web;

    [Fact]
    public async Task Should_list_batches_newest_first()
    {
        var list = await Web.Viewer.GetFromJsonAsync<List<BatchSummary>>("/api/batches", CofiWeb.Json);

        list!.ShouldContain(b => b.BatchId == batch.BatchId && b.Status == BatchStatus.Completed);
        list!.Select(b => b.BatchId).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public async Task Should_get_a_batch_with_every_stage()
    {
        var detail = await Web.Viewer.GetFromJsonAsync<JsonElement>($"/api/batches/{batch.BatchId}", CofiWeb.Json);

        detail.GetProperty("batch").GetProperty("status").GetString().ShouldBe("completed");
        var stages = detail.GetProperty("stages").EnumerateArray().ToList();
        stages.Select(s => s.GetProperty("stage").GetString()).ShouldBe(["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"]);
        stages.ShouldAllBe(s => s.GetProperty("settled").GetInt32() == CompletedBatch.Files);
        stages[0].GetProperty("failed").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task Should_answer_404_with_problem_details_for_an_unknown_batch()
    {
        var body = await (await Web.Viewer.GetAsync("/api/batches/424242")).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        body.GetProperty("detail").GetString().ShouldBe("there is no batch 424242");
    }

    [Fact]
    public async Task Should_answer_problem_details_for_a_route_that_does_not_parse()
    {
        await (await Web.Viewer.GetAsync("/api/batches/not-a-number")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("POST", "/api/batches")]
    [InlineData("POST", "/api/batches/1/pause")]
    [InlineData("POST", "/api/batches/1/resume")]
    [InlineData("POST", "/api/batches/1/cancel")]
    public async Task Should_refuse_every_mutating_endpoint_without_the_token(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { input = Web.Root }) };

        var response = await Web.Anonymous.SendAsync(request);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
    }

    [Fact]
    public async Task Should_refuse_a_wrong_token()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/batches/1/pause");
        request.Headers.Authorization = new("Bearer", "not-the-token");

        await (await Web.Anonymous.SendAsync(request)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Should_refuse_reading_endpoints_without_a_token_once_tokens_are_configured()
    {
        await (await Web.Anonymous.GetAsync("/api/batches")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        (await Web.Viewer.GetAsync("/api/batches")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "{}", "input is required" },
        { """{"input":"relative/path"}""", "input must be an absolute path" },
        { """{"input":"/etc"}""", "input is not under any configured input root" },
        { """{"input":"ROOT/first/../../../etc"}""", "input must not contain '..' segments" },
        { """{"input":"ROOT/.."}""", "input must not contain '..' segments" },
        { """{"input":"ROOT/missing"}""", "input not found" },
        { """{"input":"ROOT/first","pipeline":"other"}""", "unknown pipeline 'other'" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Should_refuse_a_bad_submission_with_a_validation_problem(string json, string problem)
    {
        var content = new StringContent(json.Replace("ROOT", Web.Root), System.Text.Encoding.UTF8, "application/json");

        var body = await (await Web.Client.PostAsync("/api/batches", content)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        body.GetProperty("errors").EnumerateObject().SelectMany(e => e.Value.EnumerateArray()).Select(v => v.GetString())
            .ShouldContain(message => message!.StartsWith(problem));
    }

    [Fact]
    public async Task Should_refuse_a_link_that_leads_outside_the_input_roots()
    {
        var outside = Directory.CreateTempSubdirectory("cofi-outside").FullName;
        try
        {
            var link = Path.Combine(Web.Root, "sneaky");
            Directory.CreateSymbolicLink(link, outside);

            var body = await (await Web.Client.PostAsJsonAsync("/api/batches", new { input = link })).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

            body.GetProperty("errors").GetProperty("input")[0].GetString().ShouldBe("input is a link that leads outside the input roots");
        }
        finally
        {
            Directory.Delete(outside, true);
        }
    }

    [Fact]
    public async Task Should_refuse_malformed_json_with_problem_details()
    {
        var content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");

        await (await Web.Client.PostAsync("/api/batches", content)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Should_submit_a_batch_and_run_it_to_the_end()
    {
        var input = Web.Samples("submitted", 12);

        var response = await Web.Client.PostAsJsonAsync("/api/batches", new { input, pipeline = "default" });
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = accepted.GetProperty("batchId").GetInt64();
        var end = await Web.WaitForEndAsync(batchId);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Headers.Location!.ToString().ShouldBe($"/api/batches/{batchId}");
        accepted.GetProperty("input").GetString().ShouldBe(input);
        end.Status.ShouldBe(BatchStatus.Completed);
    }

    [Fact]
    public async Task Should_pause_resume_and_cancel_a_batch_over_the_api()
    {
        var batchId = await Web.SubmitAsync(Web.Samples("controlled", 400));

        var paused = await UntilRunningAsync(() => Web.Client.PostAsync($"/api/batches/{batchId}/pause", null));
        var pausedAgain = await Web.Client.PostAsync($"/api/batches/{batchId}/pause", null);
        var resumed = await Web.Client.PostAsync($"/api/batches/{batchId}/resume", null);
        var cancelled = await Web.Client.PostAsync($"/api/batches/{batchId}/cancel", null);
        var cancelledAgain = await Web.Client.PostAsync($"/api/batches/{batchId}/cancel", null);

        (await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("paused");
        (await pausedAgain.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString()
            .ShouldBe($"batch {batchId} is paused; only a running batch can be paused");
        resumed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("running");
        cancelled.StatusCode.ShouldBe(HttpStatusCode.OK, await cancelled.Content.ReadAsStringAsync());
        (await cancelled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("cancelled");
        await cancelledAgain.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await Web.WaitForEndAsync(batchId)).Status.ShouldBe(BatchStatus.Cancelled);
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("cancel")]
    public async Task Should_answer_404_for_controls_of_an_unknown_batch(string action)
    {
        await (await Web.Client.PostAsync($"/api/batches/999999/{action}", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_answer_409_for_a_control_that_does_not_apply()
    {
        var body = await (await Web.Client.PostAsync($"/api/batches/{batch.BatchId}/resume", null)).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        body.GetProperty("detail").GetString().ShouldBe($"batch {batch.BatchId} is completed; only a paused batch can be resumed");
    }

    /// <summary>A just-submitted batch may still be queued for a moment: pause as soon as it runs.</summary>
    private static async Task<HttpResponseMessage> UntilRunningAsync(Func<Task<HttpResponseMessage>> pause)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await pause();
            if (response.StatusCode != HttpStatusCode.Conflict || DateTime.UtcNow > until) return response;
            await Task.Delay(20);
        }
    }
}
