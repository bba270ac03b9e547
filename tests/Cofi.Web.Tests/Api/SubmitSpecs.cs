using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Host.Web;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

/// <summary>POST /api/batches: what a submission may carry, what it is refused for, and retries with an idempotency key.</summary>
[Collection(ApiCollection.Name)]
public sealed class SubmitSpecs
{
    private readonly CompletedBatch _batch;

    public SubmitSpecs(CompletedBatch batch)
    {
        _batch = batch;
        Directory.CreateDirectory(Path.Combine(Web.Root, "empty"));
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(Web.Root, "hidden-only")).FullName, ".DS_Store"), "x");
        File.WriteAllText(Path.Combine(Web.Root, "comments.txt"), "# nothing listed yet\n\n");
    }

    private CofiWeb Web => _batch.Web;

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        { """{"input":"ROOT/first","colour":"red"}""", "colour", "unknown field" },
        { """{"input":"ROOT/first","priority":"high"}""", "priority", "must be a whole number from -100 to 100" },
        { """{"input":"ROOT/first","priority":1.5}""", "priority", "must be a whole number from -100 to 100" },
        { """{"input":"ROOT/first","priority":"7"}""", "priority", "must be a whole number from -100 to 100" },
        { """{"input":"ROOT/first","priority":101}""", "priority", "must be from -100 to 100 (got 101)" },
        { """{"input":"ROOT/first","priority":-101}""", "priority", "must be from -100 to 100 (got -101)" },
        { """{"input":"ROOT/first","priority":1,"priority":2}""", "priority", "given more than once" },
        { """{"input":"ROOT/first","name":5}""", "name", "must be a string" },
        { """{"input":"ROOT/first","name":""}""", "name", "must not be empty" },
        { """{"input":"ROOT/first","name":"two\nlines"}""", "name", "must hold printable characters only (U+000A at 4)" },
        { $$"""{"input":"ROOT/first","name":"{{new string('n', 201)}}"}""", "name", "must be at most 200 characters (got 201)" },
        { """{"input":"ROOT/first","labels":[]}""", "labels", "must be an object of string values" },
        { """{"input":"ROOT/first","labels":{"Team":"sales"}}""", "labels", "key 'Team' must match ^[a-z0-9]([a-z0-9._/-]{0,62})$" },
        { """{"input":"ROOT/first","labels":{"team":5}}""", "labels.team", "must be a string" },
        { """{"input":"ROOT/first","labels":{"team":null}}""", "labels.team", "must be a string" },
        { $$$"""{"input":"ROOT/first","labels":{"team":"{{{new string('v', 257)}}}"}}""", "labels.team", "must be at most 256 characters (got 257)" },
        { $$$"""{"input":"ROOT/first","labels":{{{{string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"k{i}\":\"v\""))}}}}}""", "labels", "at most 32 labels (got 33)" },
        { """{"input":"ROOT/first","resumeUnfinished":"yes"}""", "resumeUnfinished", "must be true or false" },
        { """{"input":"/etc"}""", "input", "input is not under any configured input root" },
        { """{"input":"ROOT/first/../first"}""", "input", "input must not contain '..' segments" },
        { """{"input":"ROOT/missing"}""", "input", "input not found" },
        { """{"input":"ROOT/empty"}""", "input", "the folder holds no file" },
        { """{"input":"ROOT/hidden-only"}""", "input", "the folder holds no file" },
        { """{"input":"ROOT/comments.txt"}""", "input", "the manifest lists no file" },
        { """{"input":["ROOT/first"]}""", "input", "must be a string" },
        { "[]", "body", "must be a JSON object" },
        { "null", "body", "must be a JSON object" },
        { "{not json", "body", "is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Should_refuse_a_bad_body_naming_the_field_and_start_nothing(string json, string field, string problem)
    {
        var before = await BatchCountAsync();

        var body = await (await PostAsync(json)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        body.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()).ShouldContain(m => m!.StartsWith(problem));
        (await BatchCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Should_name_every_refused_field_at_once()
    {
        var body = await (await PostAsync("""{"input":"/etc","priority":500,"name":" "}""")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        body.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(["input", "name", "priority"], ignoreOrder: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Should_refuse_a_body_over_64_KiB_with_413_and_start_nothing(bool chunked)
    {
        var before = await BatchCountAsync();
        var json = $$"""{"input":"{{Web.Root}}/first","name":"{{new string('n', 70_000)}}"}""";
        HttpContent content = chunked ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json))) : new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new("application/json");
        if (chunked) content.Headers.ContentLength = null;

        var response = await Web.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/batches") { Content = content, Headers = { TransferEncodingChunked = chunked } });

        (await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge)).GetProperty("detail").GetString().ShouldBe("the body may be at most 65,536 bytes");
        (await BatchCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Should_refuse_a_body_that_is_not_json_with_415()
    {
        await (await PostAsync($$"""{"input":"ROOT/first"}""", mediaType: "text/plain")).ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("two words", "must hold visible ASCII characters only, no spaces")]
    [InlineData("tab\tkey", "must hold visible ASCII characters only, no spaces")]
    public async Task Should_refuse_an_idempotency_key_that_is_not_visible_ascii(string key, string problem)
    {
        var before = await BatchCountAsync();

        var body = await (await PostAsync("""{"input":"ROOT/first"}""", key)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        body.GetProperty("errors").GetProperty(SubmitRules.IdempotencyHeader)[0].GetString().ShouldBe(problem);
        (await BatchCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Should_refuse_an_idempotency_key_longer_than_200_characters()
    {
        var body = await (await PostAsync("""{"input":"ROOT/first"}""", new string('k', 201))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        body.GetProperty("errors").GetProperty(SubmitRules.IdempotencyHeader)[0].GetString().ShouldBe("must be 1 to 200 characters (got 201)");
    }

    [Fact]
    public async Task Should_answer_a_retry_with_the_same_key_with_the_first_batch_and_start_one_batch()
    {
        var input = Web.Samples("retried", 5);
        var json = $$"""{"input":"{{input}}","priority":7}""";
        var before = await BatchCountAsync();

        var first = await PostAsync(json, "retry-1");
        var retry = await PostAsync("""{"input":"INPUT/","priority":7,"name":"retried","labels":{}}""".Replace("INPUT", input), "retry-1");

        first.StatusCode.ShouldBe(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        retry.StatusCode.ShouldBe(HttpStatusCode.Created, await retry.Content.ReadAsStringAsync());
        first.Headers.Contains(BatchApi.ReplayedHeader).ShouldBeFalse();
        retry.Headers.GetValues(BatchApi.ReplayedHeader).ShouldBe(["true"]);
        var (firstBody, retryBody) = (await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        retryBody.ShouldBe(firstBody, "the first answer again");
        retry.Headers.Location.ShouldBe(first.Headers.Location);
        (await BatchCountAsync()).ShouldBe(before + 1);
        await Web.WaitForEndAsync(JsonDocument.Parse(firstBody).RootElement.GetProperty("batchId").GetInt64());
    }

    [Fact]
    public async Task Should_refuse_the_same_key_with_another_request_with_409()
    {
        var input = Web.Samples("conflicting", 5);
        var first = await PostAsync($$"""{"input":"{{input}}","priority":1}""", "conflict-1");
        var batchId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetInt64();
        var before = await BatchCountAsync();

        var other = await PostAsync($$"""{"input":"{{input}}","priority":2}""", "conflict-1");

        (await other.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString()
            .ShouldBe($"Idempotency-Key 'conflict-1' was first sent for batch {batchId} with another request");
        (await BatchCountAsync()).ShouldBe(before);
        await Web.WaitForEndAsync(batchId);
    }

    [Fact]
    public async Task Should_show_the_name_priority_and_labels_of_a_submitted_batch()
    {
        var input = Web.Samples("labelled", 5);

        var response = await PostAsync($$$"""{"input":"{{{input}}}","name":"März calls ☎","priority":-20,"labels":{"team":"sales","cost-centre/eu":"4711"}}""");
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetInt64();
        var detail = await Web.Viewer.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}");
        var listed = (await Web.Viewer.GetFromJsonAsync<List<BatchSummary>>("/api/batches", CofiWeb.Json))!.Single(b => b.BatchId == batchId);

        var batch = detail.GetProperty("batch");
        batch.GetProperty("name").GetString().ShouldBe("März calls ☎");
        batch.GetProperty("priority").GetInt32().ShouldBe(-20);
        batch.GetProperty("labels").EnumerateObject().Select(l => (l.Name, l.Value.GetString())).ShouldBe([("cost-centre/eu", "4711"), ("team", "sales")]);
        (listed.Name, listed.Priority).ShouldBe(("März calls ☎", -20));
        listed.Labels.ShouldBe(new Dictionary<string, string> { ["team"] = "sales", ["cost-centre/eu"] = "4711" }, ignoreOrder: true);
        await Web.WaitForEndAsync(batchId);
    }

    [Fact]
    public async Task Should_name_a_batch_submitted_without_a_name_after_its_input_folder()
    {
        var listed = (await Web.Viewer.GetFromJsonAsync<List<BatchSummary>>("/api/batches", CofiWeb.Json))!.Single(b => b.BatchId == _batch.BatchId);

        (listed.Name, listed.Priority, listed.Labels.Count).ShouldBe(("first", 0, 0));
    }

    [Fact]
    public async Task Should_describe_the_submit_body_and_the_idempotency_key_in_the_openapi_document()
    {
        var document = await Web.Viewer.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var post = document.GetProperty("paths").GetProperty("/api/batches").GetProperty("post");
        var schema = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var reference = schema.GetProperty("$ref").GetString()!.Split('/')[^1];
        var properties = document.GetProperty("components").GetProperty("schemas").GetProperty(reference).GetProperty("properties");
        properties.EnumerateObject().Select(p => p.Name).ShouldBe(["input", "name", "priority", "labels", "pipeline", "resumeUnfinished", "reason"], ignoreOrder: true);
        properties.GetProperty("priority").GetProperty("type").EnumerateArray().Select(t => t.GetString()).ShouldBe(["null", "integer"], ignoreOrder: true);
        post.GetProperty("parameters").EnumerateArray().ShouldContain(p => p.GetProperty("name").GetString() == SubmitRules.IdempotencyHeader && p.GetProperty("in").GetString() == "header");
        post.GetProperty("responses").EnumerateObject().Select(r => r.Name).ShouldBe(["201", "400", "401", "403", "409", "413", "415"], ignoreOrder: true);
    }

    private async Task<HttpResponseMessage> PostAsync(string json, string? key = null, string mediaType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/batches") { Content = new StringContent(json.Replace("ROOT", Web.Root), Encoding.UTF8, mediaType) };
        if (key is not null) request.Headers.TryAddWithoutValidation(SubmitRules.IdempotencyHeader, key);
        return await Web.Client.SendAsync(request);
    }

    private async Task<int> BatchCountAsync() => (await Web.Viewer.GetFromJsonAsync<List<BatchSummary>>("/api/batches", CofiWeb.Json))!.Count;
}
