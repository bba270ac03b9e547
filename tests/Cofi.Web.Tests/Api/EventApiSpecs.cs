using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class EventApiSpecs(CompletedBatch batch)
{
    private CofiWeb Web => batch.Web;

    private async Task<JsonElement> PageAsync(string query) =>
        await Web.Anonymous.GetFromJsonAsync<JsonElement>($"/api/batches/{batch.BatchId}/events?{query}");

    private static List<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task Should_page_every_event_of_the_batch()
    {
        var first = await PageAsync("pageSize=100");
        var second = await PageAsync("pageSize=100&page=2");

        // 30 files at each of 9 stages, and one stage_complete per stage.
        first.GetProperty("total").GetInt32().ShouldBe(30 * 9 + 9);
        Items(first).Count.ShouldBe(100);
        Items(second).Count.ShouldBe(100);
        Items(first).Select(e => e.GetProperty("id").GetInt64()).Intersect(Items(second).Select(e => e.GetProperty("id").GetInt64())).ShouldBeEmpty();
        Items(first).Select(e => e.GetProperty("at").GetDateTimeOffset()).ShouldBeInOrder(SortDirection.Ascending);
    }

    [Fact]
    public async Task Should_filter_by_stage_type_and_file()
    {
        var errors = Items(await PageAsync("type=file_error&pageSize=500"));
        var stt = Items(await PageAsync("stage=stt&type=file_complete&pageSize=500"));
        var oneFile = Items(await PageAsync("file=call-00005&pageSize=500"));

        errors.Count.ShouldBe(2, "the two corrupt files, rejected at distribution");
        errors.ShouldAllBe(e => e.GetProperty("stage").GetString() == "distribution" && e.GetProperty("reason").GetString()!.Length > 0);
        stt.ShouldNotBeEmpty();
        stt.ShouldAllBe(e => e.GetProperty("stage").GetString() == "stt" && e.GetProperty("type").GetString() == "file_complete" && e.GetProperty("payload").GetString()!.StartsWith('{'));
        oneFile.Count.ShouldBe(9);
        oneFile.ShouldAllBe(e => e.GetProperty("fileName").GetString() == "call-00005.wav");
    }

    [Theory]
    [InlineData("stage=nope", "stage")]
    [InlineData("type=nope", "type")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=501", "pageSize")]
    [InlineData("page=0", "page")]
    public async Task Should_refuse_bad_filters_with_a_validation_problem(string query, string field)
    {
        var body = await (await Web.Anonymous.GetAsync($"/api/batches/{batch.BatchId}/events?{query}")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        body.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Should_refuse_a_page_number_that_is_not_a_number()
    {
        await (await Web.Anonymous.GetAsync($"/api/batches/{batch.BatchId}/events?page=abc")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Should_answer_404_for_the_events_of_an_unknown_batch()
    {
        await (await Web.Anonymous.GetAsync("/api/batches/777/events")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_give_a_files_timeline_through_every_stage()
    {
        var id = Items(await PageAsync("file=call-00003.wav&stage=distribution")).Single().GetProperty("fileId").GetInt32();

        var timeline = await Web.Anonymous.GetFromJsonAsync<JsonElement>($"/api/batches/{batch.BatchId}/files/{id}");

        timeline.GetProperty("name").GetString().ShouldBe("call-00003.wav");
        timeline.GetProperty("path").GetString().ShouldBe(Path.Combine(Web.Root, "first", "call-00003.wav"));
        var stages = timeline.GetProperty("stages").EnumerateArray().ToList();
        stages.Select(s => s.GetProperty("stage").GetString()).ShouldBe(["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"], ignoreOrder: true);
        var denoise = stages.Single(s => s.GetProperty("stage").GetString() == "denoise");
        denoise.GetProperty("request").GetProperty("idempotencyKey").GetString().ShouldBe($"{batch.BatchId}:denoise:{id}");
        denoise.GetProperty("machine").GetString().ShouldStartWith("gpu-");
        denoise.GetProperty("attempts").GetInt32().ShouldBe(1);
        denoise.GetProperty("response").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Should_answer_404_for_a_file_the_batch_does_not_have()
    {
        await (await Web.Anonymous.GetAsync($"/api/batches/{batch.BatchId}/files/99999")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }
}
