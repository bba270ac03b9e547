using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

/// <summary>POST /api/plan: the capacity planner over the configuration or a finished batch's records.</summary>
[Collection(ApiCollection.Name)]
public sealed class PlanApiSpecs(CompletedBatch batch)
{
    [Fact]
    public async Task Should_predict_from_the_configuration_for_an_operator_with_the_bottleneck_and_the_cost()
    {
        var response = await batch.Web.Client.PostAsJsonAsync("/api/plan", new { files = 1000, machines = 2, pricePerGpuHour = 3.5 });

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        (plan.GetProperty("files").GetInt32(), plan.GetProperty("machines").GetInt32()).ShouldBe((1000, 2));
        plan.GetProperty("makespanSeconds").GetDouble().ShouldBeGreaterThan(0);
        plan.GetProperty("stages").GetArrayLength().ShouldBe(8, "every stage after distribution");
        plan.GetProperty("bottleneck").GetString().ShouldNotBeNullOrEmpty();
        plan.GetProperty("cost").GetDecimal().ShouldBe(Math.Round((decimal)plan.GetProperty("gpuHours").GetDouble() * 3.5m, 2));
        plan.GetProperty("report").GetString()!.ShouldContain("predicted makespan");
    }

    [Fact]
    public async Task Should_predict_from_a_finished_batchs_records_with_its_file_count()
    {
        var response = await batch.Web.Client.PostAsJsonAsync("/api/plan", new { fromBatch = batch.BatchId, machines = 4 });

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        plan.GetProperty("files").GetInt32().ShouldBe(CompletedBatch.Files);
        plan.GetProperty("basis").GetString()!.ShouldContain($"batch {batch.BatchId}");
    }

    [Theory]
    [InlineData("""{"files":0}""", "files")]
    [InlineData("""{"machines":-1}""", "machines")]
    [InlineData("""{"pricePerGpuHour":-2}""", "pricePerGpuHour")]
    [InlineData("""{"colour":"red"}""", "colour")]
    public async Task Should_refuse_a_bad_request_naming_the_field(string body, string field)
    {
        var response = await batch.Web.Client.PostAsync("/api/plan", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ToString().ShouldContain(field);
    }

    [Fact]
    public async Task Should_answer_404_for_a_batch_it_does_not_know()
    {
        var response = await batch.Web.Client.PostAsJsonAsync("/api/plan", new { fromBatch = 9999 });

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }
}
