using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Actors.ReadModel;
using Cofi.Host.Web.Events;
using Microsoft.Extensions.DependencyInjection;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

/// <summary>The event log, file list and timeline endpoints, read from the read-model tables of a finished 30-file batch.</summary>
public abstract class EventApiSpecs(CompletedBatch batch)
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];

    private CofiWeb Web => batch.Web;

    private async Task<JsonElement> PageAsync(string query) =>
        await Web.Viewer.GetFromJsonAsync<JsonElement>($"/api/batches/{batch.BatchId}/events?{query}");

    private static List<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task Should_page_every_event_of_the_batch_in_the_order_it_was_recorded()
    {
        var first = await PageAsync("pageSize=100");
        var second = await PageAsync("pageSize=100&page=2");

        // At each of the 9 stages: one row per file (a corrupt file is an error at distribution, then skipped), stage_start and stage_complete.
        first.GetProperty("total").GetInt32().ShouldBe(9 * (CompletedBatch.Files + 2));
        Items(first).Count.ShouldBe(100);
        Items(second).Count.ShouldBe(100);
        var ids = Items(first).Concat(Items(second)).Select(e => e.GetProperty("id").GetInt64()).ToList();
        ids.ShouldBeInOrder(SortDirection.Ascending);
        ids.Distinct().Count().ShouldBe(200);
        Items(first)[0].GetProperty("stage").GetString().ShouldBe("distribution");
    }

    [Fact]
    public async Task Should_page_from_the_newest_row_back_when_asked()
    {
        var oldestFirst = Items(await PageAsync("pageSize=500")).Select(e => e.GetProperty("id").GetInt64()).ToList();
        var newest = await PageAsync("order=newest&pageSize=100");
        var next = await PageAsync("order=newest&pageSize=100&page=2&stage=stt");

        newest.GetProperty("total").GetInt32().ShouldBe(oldestFirst.Count);
        Items(newest).Select(e => e.GetProperty("id").GetInt64()).ShouldBe(oldestFirst.AsEnumerable().Reverse().Take(100));
        Items(next).Select(e => e.GetProperty("id").GetInt64()).ShouldBeInOrder(SortDirection.Descending);
        Items(next).ShouldAllBe(e => e.GetProperty("stage").GetString() == "stt");
    }

    [Fact]
    public async Task Should_filter_by_stage_type_and_file()
    {
        var errors = Items(await PageAsync("type=file_error&pageSize=500"));
        var stt = Items(await PageAsync("stage=stt&type=file_complete&pageSize=500"));
        var oneFile = Items(await PageAsync("file=call-00005&pageSize=500"));
        var completions = Items(await PageAsync("type=stage_complete"));

        errors.Count.ShouldBe(2, "the two corrupt files, rejected at distribution");
        errors.ShouldAllBe(e => e.GetProperty("stage").GetString() == "distribution" && e.GetProperty("payload").GetString()!.Contains("\"error\""));
        stt.Count.ShouldBe(CompletedBatch.Files);
        stt.ShouldAllBe(e => e.GetProperty("stage").GetString() == "stt" && e.GetProperty("payload").GetString()!.StartsWith('{'));
        oneFile.Select(e => e.GetProperty("stage").GetString()).ShouldBe(Stages);
        oneFile.ShouldAllBe(e => e.GetProperty("fileName").GetString() == "call-00005.wav");
        completions.Select(e => e.GetProperty("stage").GetString()).ShouldBe(Stages, ignoreOrder: true);
        completions.ShouldAllBe(e => e.GetProperty("totalFiles").GetInt32() == CompletedBatch.Files);
    }

    [Fact]
    public async Task Should_match_a_file_filter_literally_not_as_a_pattern()
    {
        var page = await PageAsync("file=call-0000_");

        page.GetProperty("total").GetInt32().ShouldBe(0, "'_' is a character of the name, not a LIKE wildcard");
    }

    [Theory]
    [InlineData("stage=nope", "stage")]
    [InlineData("type=nope", "type")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=501", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("order=sideways", "order")]
    public async Task Should_refuse_bad_filters_with_a_validation_problem(string query, string field)
    {
        var body = await (await Web.Viewer.GetAsync($"/api/batches/{batch.BatchId}/events?{query}")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        body.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Should_refuse_a_page_number_that_is_not_a_number()
    {
        await (await Web.Viewer.GetAsync($"/api/batches/{batch.BatchId}/events?page=abc")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("events")]
    [InlineData("files")]
    [InlineData("timeline?file=call-00001.wav")]
    public async Task Should_answer_404_for_an_unknown_batch(string endpoint)
    {
        await (await Web.Viewer.GetAsync($"/api/batches/777/{endpoint}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_search_the_batchs_files_and_say_which_stages_are_done()
    {
        var page = await Web.Viewer.GetFromJsonAsync<JsonElement>($"/api/batches/{batch.BatchId}/files?search=call-0001");
        var all = await Web.Viewer.GetFromJsonAsync<JsonElement>($"/api/batches/{batch.BatchId}/files?pageSize=500");

        Items(page).Select(f => f.GetProperty("name").GetString()).ShouldBe(Enumerable.Range(10, 10).Select(i => $"call-{i:00000}.wav"));
        all.GetProperty("total").GetInt32().ShouldBe(CompletedBatch.Files);
        var done = Items(all).Count(f => f.GetProperty("doneStages").EnumerateArray().Any(s => s.GetString() == "denoise"));
        done.ShouldBe(CompletedBatch.Files - 2, "every valid file went through denoise");
        Items(all).Where(f => f.GetProperty("doneStages").GetArrayLength() > 0).ShouldAllBe(f => f.GetProperty("machine").GetString()!.StartsWith("gpu-"));
    }

    [Fact]
    public async Task Should_give_a_files_timeline_through_every_stage_with_each_attempt()
    {
        var timeline = await Web.Viewer.GetFromJsonAsync<JsonElement>($"/api/batches/{batch.BatchId}/timeline?file=call-00003.wav");

        timeline.GetProperty("name").GetString().ShouldBe("call-00003.wav");
        var stages = timeline.GetProperty("stages").EnumerateArray().ToList();
        stages.Select(s => s.GetProperty("stage").GetString()).ShouldBe(Stages);
        var denoise = stages.Single(s => s.GetProperty("stage").GetString() == "denoise");
        denoise.GetProperty("status").GetString().ShouldBe("done");
        var attempt = denoise.GetProperty("attempts").EnumerateArray().Last();
        attempt.GetProperty("machine").GetString().ShouldStartWith("gpu-");
        attempt.GetProperty("status").GetString().ShouldBe("done");
        attempt.GetProperty("request").GetString()!.ShouldContain($"\"idempotencyKey\":\"{batch.BatchId}:denoise:call-00003.wav\"");
        attempt.GetProperty("response").GetString().ShouldNotBeNullOrWhiteSpace();
        attempt.GetProperty("durationMs").GetInt64().ShouldBeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task Should_count_as_many_log_rows_as_the_same_filter_reads()
    {
        var events = Web.Runtime.Services.GetRequiredService<ReadModelEvents>();
        EventFilter[] filters =
        [
            new(null, null, null),
            new("stt", ReadModelProjection.EventTypes.FileComplete, null),
            new(null, ReadModelProjection.EventTypes.FileError, null, "failed"),
            new("distribution", null, "call-0000"),
            new("denoise", ReadModelProjection.EventTypes.FileError, null, ReadModelProjection.Quarantined),
        ];

        var counts = new List<int>();
        foreach (var filter in filters) counts.Add(await events.CountEventsAsync(batch.BatchId, filter, CancellationToken.None));
        var read = new List<int>();
        foreach (var filter in filters) read.Add((await events.EventsAsync(batch.BatchId, filter, 1, 1000, CancellationToken.None)).Items.Count);

        counts.ShouldBe(read);
        counts.ShouldBe([9 * (CompletedBatch.Files + 2), CompletedBatch.Files, 2, 9, 0]);
        (await events.CountEventsAsync(batch.BatchId + 1000, filters[0], CancellationToken.None)).ShouldBe(0, "another batch's rows are not counted");
    }

    [Fact]
    public async Task Should_answer_404_for_a_file_the_batch_does_not_have_and_400_without_a_name()
    {
        await (await Web.Viewer.GetAsync($"/api/batches/{batch.BatchId}/timeline?file=nope.wav")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await Web.Viewer.GetAsync($"/api/batches/{batch.BatchId}/timeline")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }
}

[Collection(ApiCollection.Name)]
public sealed class EventApiOnSqliteSpecs(CompletedBatch batch) : EventApiSpecs(batch);

[Collection(MariaDbCollection.Name)]
public sealed class EventApiOnMariaDbSpecs(CompletedBatchOnMariaDb batch) : EventApiSpecs(batch);
