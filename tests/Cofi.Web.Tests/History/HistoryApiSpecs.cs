using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.History;

/// <summary>A finished 30-file batch over time, as the coordinator kept it: throughput and ETA, the fleet, call times.</summary>
[Collection(ApiCollection.Name)]
public sealed class HistoryApiSpecs(CompletedBatch batch)
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];

    private Task<JsonElement> GetAsync(string path) => batch.Web.Viewer.GetFromJsonAsync<JsonElement>($"/api/batches/{batch.BatchId}/{path}");

    [Fact]
    public async Task Should_keep_every_stages_throughput_after_the_batch_ended()
    {
        var history = await GetAsync("throughput");

        var stages = history.GetProperty("stages").EnumerateArray().ToList();
        stages.Select(s => s.GetProperty("stage").GetString()).ShouldBe(Stages);
        var seconds = history.GetProperty("bucketSeconds").GetInt32();
        foreach (var stage in stages)
        {
            stage.GetProperty("settled").GetInt32().ShouldBe(CompletedBatch.Files);
            stage.GetProperty("total").GetInt32().ShouldBe(CompletedBatch.Files);
            stage.GetProperty("completed").GetBoolean().ShouldBeTrue();
            stage.GetProperty("eta").GetProperty("basis").GetString().ShouldBe("done");
            stage.GetProperty("rates").EnumerateArray().Sum(r => r.GetDouble()).ShouldBeGreaterThan(0);
        }
        seconds.ShouldBeGreaterThanOrEqualTo(1);
        history.GetProperty("batch").GetProperty("seconds").GetDouble().ShouldBe(0);
    }

    [Fact]
    public async Task Should_show_each_gpu_machines_slots_and_files_over_time()
    {
        var fleet = await GetAsync("fleet");

        fleet.GetProperty("slotsByStage").EnumerateObject().Select(p => p.Name).ShouldBe(["denoise", "ivr", "lid", "stt"]);
        var machines = fleet.GetProperty("machines").EnumerateArray().ToList();
        machines.Select(m => m.GetProperty("machine").GetString()).ShouldBe(["gpu-1", "gpu-2", "gpu-3", "gpu-4"]);
        // The valid files at denoise, ivr and lid, and those triage did not skip at stt.
        machines.Sum(m => m.GetProperty("done").GetInt64()).ShouldBeInRange(3L * (CompletedBatch.Files - 2), 4L * (CompletedBatch.Files - 2));
        machines.SelectMany(m => m.GetProperty("utilization").EnumerateObject().SelectMany(s => s.Value.EnumerateArray()))
            .ShouldAllBe(u => u.GetDouble() >= 0 && u.GetDouble() <= 1);
    }

    [Fact]
    public async Task Should_give_percentiles_per_stage_for_every_machine_or_one()
    {
        var all = await GetAsync("latency");
        var one = await GetAsync("latency?machine=gpu-2");

        var denoise = all.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "denoise");
        var calls = denoise.GetProperty("calls").GetInt64();
        calls.ShouldBeGreaterThanOrEqualTo(CompletedBatch.Files - 2, "every valid file, and any attempt that failed before it was done");
        denoise.GetProperty("p50").GetDouble().ShouldBeInRange(30, 100, "denoise calls take 50 ms in this configuration");
        denoise.GetProperty("p99").GetDouble().ShouldBeGreaterThanOrEqualTo(denoise.GetProperty("p50").GetDouble());
        denoise.GetProperty("bins").EnumerateArray().Sum(b => b.GetProperty("calls").GetInt64()).ShouldBe(calls);
        all.GetProperty("machines").EnumerateArray().Select(m => m.GetString()).ShouldContain("gpu-2");
        one.GetProperty("machine").GetString().ShouldBe("gpu-2");
        one.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "denoise").GetProperty("calls").GetInt64()
            .ShouldBeLessThan(calls);
    }

    [Theory]
    [InlineData("throughput")]
    [InlineData("fleet")]
    [InlineData("latency")]
    public async Task Should_answer_404_for_an_unknown_batch(string endpoint)
    {
        var problem = await (await batch.Web.Viewer.GetAsync($"/api/batches/777/{endpoint}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        problem.GetProperty("detail").GetString().ShouldBe("there is no batch 777");
    }
}
