using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

/// <summary>POST /api/batches/{id}/priority: the priority, the weight among batches of equal priority, or both; what is not given stays.</summary>
public sealed class PriorityApiSpecs
{
    [Fact]
    public async Task Should_change_the_priority_and_the_weight_of_a_running_batch_each_keeping_the_other()
    {
        await using var web = await CofiWeb.StartAsync("cofi.pipeline.stage.denoise.simulated.latency = 500ms");
        var batchId = await web.SubmitAsync(web.Samples("weighted", 40));

        var weighted = await Post(web, batchId, new { weight = 3, reason = "the customer's deadline" });
        var prioritized = await Post(web, batchId, new { priority = 5 });
        var shown = await web.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}");

        (weighted.GetProperty("priority").GetInt32(), weighted.GetProperty("weight").GetDouble()).ShouldBe((0, 3.0));
        (prioritized.GetProperty("priority").GetInt32(), prioritized.GetProperty("weight").GetDouble()).ShouldBe((5, 3.0));
        (shown.GetProperty("batch").GetProperty("priority").GetInt32(), shown.GetProperty("batch").GetProperty("weight").GetDouble()).ShouldBe((5, 3.0));
    }

    [Theory]
    [InlineData("""{ "weight": 0 }""", "weight")]
    [InlineData("""{ "weight": 101 }""", "weight")]
    [InlineData("""{ "weight": "heavy" }""", "weight")]
    [InlineData("""{ "reason": "nothing to change" }""", "priority")]
    [InlineData("""{ "priority": 101, "weight": 2 }""", "priority")]
    public async Task Should_refuse_a_weight_or_priority_out_of_range_naming_the_field(string body, string field)
    {
        await using var web = await CofiWeb.StartAsync();
        var batchId = await web.SubmitAsync(web.Samples("refused", 2));

        var response = await web.Client.PostAsync($"/api/batches/{batchId}/priority", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ToString().ShouldContain(field);
    }

    private static async Task<JsonElement> Post(CofiWeb web, long batchId, object body)
    {
        var response = await web.Client.PostAsJsonAsync($"/api/batches/{batchId}/priority", body);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
