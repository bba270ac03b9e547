using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ServiceApiSpecs(CompletedBatch batch)
{
    private CofiWeb Web => batch.Web;

    [Fact]
    public async Task Should_list_this_process_as_the_only_cluster_member()
    {
        var members = await Web.Viewer.GetFromJsonAsync<JsonElement>("/api/cluster/members");

        var member = members.EnumerateArray().Single();
        member.GetProperty("self").GetBoolean().ShouldBeTrue();
        member.GetProperty("status").GetString().ShouldBe("up");
        member.GetProperty("address").GetString().ShouldStartWith("akka://cofi");
    }

    [Fact]
    public async Task Should_list_the_gpu_machines_with_the_work_they_did()
    {
        var machines = (await Web.Viewer.GetFromJsonAsync<JsonElement>("/api/machines")).EnumerateArray().ToList();

        machines.Select(m => m.GetProperty("name").GetString()).ShouldBe(["gpu-1", "gpu-2", "gpu-3", "gpu-4"]);
        machines.ShouldAllBe(m => m.GetProperty("slots").GetInt32() == 8 && m.GetProperty("slotsBusy").GetInt32() >= 0 && m.GetProperty("errors").GetInt64() == 0);
        machines.Sum(m => m.GetProperty("filesDone").GetInt64()).ShouldBeGreaterThanOrEqualTo(28 * 3, "the 28 valid files at denoise, ivr and lid at least");
    }

    [Fact]
    public async Task Should_describe_the_pipeline()
    {
        var pipeline = await Web.Viewer.GetFromJsonAsync<JsonElement>("/api/pipeline");

        pipeline.GetProperty("mode").GetString().ShouldBe("streaming");
        pipeline.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()).First().ShouldBe("distribution");
    }

    [Fact]
    public async Task Should_be_alive_and_ready()
    {
        (await Web.Anonymous.GetFromJsonAsync<JsonElement>("/health")).GetProperty("status").GetString().ShouldBe("alive");
        (await Web.Anonymous.GetFromJsonAsync<JsonElement>("/ready")).GetProperty("status").GetString().ShouldBe("ready");
    }

    [Fact]
    public async Task Should_report_the_broadcasters_figures()
    {
        var figures = await Web.Viewer.GetFromJsonAsync<JsonElement>("/api/progress/figures");

        figures.GetProperty("eventsIn").GetInt64().ShouldBeGreaterThan(0);
        figures.TryGetProperty("framesDropped", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Should_publish_an_openapi_document_of_every_endpoint()
    {
        var document = await Web.Viewer.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldBe([
            "/api/batches", "/api/batches/{batchId}", "/api/batches/{batchId}/pause", "/api/batches/{batchId}/resume", "/api/batches/{batchId}/cancel", "/api/batches/{batchId}/retry-failed",
            "/api/batches/{batchId}/priority",
            "/api/stream", "/api/batches/{batchId}/stream", "/api/progress/figures", "/api/batches/{batchId}/events", "/api/batches/{batchId}/files", "/api/batches/{batchId}/timeline",
            "/api/batches/{batchId}/results", "/api/batches/{batchId}/failed", "/api/batches/{batchId}/log",
            "/api/cluster/members", "/api/machines", "/api/machines/{host}/remove", "/api/gpu-nodes/{node}/drain", "/api/pipeline", "/health", "/ready",
            "/api/commands", "/api/completions/{kind}", "/api/cluster", "/api/cluster/leader", "/api/cluster/join", "/api/cluster/leave", "/api/cluster/down",
            "/api/cluster/down-unreachable", "/api/cluster/events", "/api/node/health", "/api/node/metrics", "/api/actors/system", "/api/actors/hierarchy",
            "/api/session", "/api/audit", "/api/batches/{batchId}/throughput", "/api/batches/{batchId}/fleet", "/api/batches/{batchId}/latency",
            "/api/plan", "/api/prune", "/api/batches/{batchId}/stragglers",
        ], ignoreOrder: true);
    }

    [Fact]
    public async Task Should_serve_the_dashboard_at_the_root()
    {
        var response = await Web.Anonymous.GetAsync("/");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldContain("<title>Cofi dashboard</title>");
    }
}
