using System.Text.Json;
using Cofi.Cli.Tests.Support;

namespace Cofi.Cli.Tests.SingleNode;

/// <summary>Every verb a single-node serve offers, run through the real cofi with --json: each answer parses and holds the fields the README names.</summary>
[Collection(ServeCollection.Name)]
public sealed class VerbJsonSpecs(ServeFixture fixture)
{
    private readonly ServeNode _serve = fixture.Serve;

    [Fact]
    public async Task Should_follow_a_batch_from_submit_to_results_with_json_that_parses()
    {
        var input = _serve.Samples("json-walk", 60, corrupt: 3);

        var batchId = await _serve.SubmitAsync(input, "--name", "walk", "--priority", "4", "--label", "team=ops", "--reason", "json walk");
        var watch = await _serve.CofiAsync("batch", "watch", batchId.ToString(), "--json");

        watch.ExitCode.ShouldBe(0, watch.ToString());
        watch.JsonLines.ShouldNotBeEmpty();
        watch.JsonLines[^1].ToString().ShouldContain("\"completed\"");
        var list = await Json("batch", "list");
        var listed = list.EnumerateArray().Single(b => b.GetProperty("batchId").GetInt64() == batchId);
        listed.GetProperty("name").GetString().ShouldBe("walk");
        listed.GetProperty("priority").GetInt32().ShouldBe(4);
        listed.GetProperty("labels").GetProperty("team").GetString().ShouldBe("ops");
        var show = await Json("batch", "show", batchId.ToString());
        show.GetProperty("batch").GetProperty("status").GetString().ShouldBe("completed");
        show.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("stage").GetString()).ShouldContain("metadata");
        (await Json("batch", "priority", batchId.ToString(), "-20", "--reason", "later")).GetProperty("priority").GetInt32().ShouldBe(-20);
        (await Json("batch", "show", batchId.ToString())).GetProperty("batch").GetProperty("priority").GetInt32().ShouldBe(-20);
        _serve.Process.Stdout.ShouldContain($"operator: batch {batchId}: priority -20 (reason: later)");

        var tail = await Lines("batch", "tail", batchId.ToString(), "--type", "stage_complete");
        tail.Select(e => e.GetProperty("stage").GetString()).ShouldContain("metadata");
        tail.ShouldAllBe(e => e.GetProperty("type").GetString() == "stage_complete");
        var failed = await Lines("batch", "failed", batchId.ToString());
        failed.Count.ShouldBe(3);
        failed.ShouldAllBe(f => f.GetProperty("stage").GetString() == "distribution" && f.GetProperty("reason").GetString()!.Length > 0 && f.GetProperty("file").GetString()!.Length > 0);
        var results = await Lines("batch", "results", batchId.ToString());
        results.Count.ShouldBe(60);
        results.Select(r => r.GetProperty("fileName").GetString()).Distinct().Count().ShouldBe(60);
        results.Select(r => r.GetProperty("status").GetString()).ShouldAllBe(status => status == "done" || status == "failed" || status == "skipped");
        results.Select(r => r.GetProperty("fileId").GetInt32()).Distinct().Count().ShouldBe(60);
        var csv = _serve.Dir.File("results.csv");
        (await _serve.CofiAsync("batch", "results", batchId.ToString(), "--format", "csv", "--output", csv)).ExitCode.ShouldBe(0);
        (await File.ReadAllLinesAsync(csv)).Length.ShouldBe(61, "a header and a line per file");

        var timeline = await Json("file", "show", batchId.ToString(), "call-00001.wav");
        timeline.GetProperty("stages").EnumerateArray().First(s => s.GetProperty("stage").GetString() == "denoise")
            .GetProperty("attempts")[0].TryGetProperty("statusCode", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Should_answer_the_node_cluster_actor_and_gpu_verbs_with_json_that_parses()
    {
        var machines = await Json("gpu", "list");
        machines.GetArrayLength().ShouldBe(4);
        foreach (var field in new[] { "name", "node", "slotsByStage", "busyByStage", "filesPerMinute", "errors", "breaker" })
            machines[0].TryGetProperty(field, out _).ShouldBeTrue(field);
        var added = await Json("gpu", "add", "gpu-extra.local", "--reason", "more capacity");
        added.GetProperty("machine").GetString().ShouldBe("gpu-extra.local");
        var removed = await Json("gpu", "remove", "gpu-extra.local", "--yes", "--reason", "done");
        removed.GetProperty("machine").GetString().ShouldBe("gpu-extra.local");
        _serve.Process.Stdout.ShouldContain("operator: GPU machine gpu-extra.local removed");
        var cluster = await Json("cluster", "show");
        cluster.GetProperty("members").GetArrayLength().ShouldBe(1);
        cluster.GetProperty("leader").GetString().ShouldNotBeNull();
        (await Json("cluster", "leader")).TryGetProperty("leader", out _).ShouldBeTrue();
        var health = await Json("node", "health");
        health.GetProperty("status").GetString().ShouldBe("alive");
        health.GetProperty("ready").GetBoolean().ShouldBeTrue();
        var metrics = await Json("node", "metrics");
        metrics.EnumerateArray().Select(m => m.GetProperty("name").GetString()).ShouldContain("cofi.call.duration");
        (await Json("actor", "system")).GetProperty("name").GetString().ShouldBe("cofi");
        var hierarchy = await Json("actor", "hierarchy", "-d", "1");
        hierarchy.EnumerateArray().Select(a => a.GetProperty("path").GetString()).ShouldContain("/user/batch-manager");
    }

    [Fact]
    public async Task Should_pause_resume_and_cancel_a_running_batch_and_record_each_reason()
    {
        var batchId = await _serve.SubmitAsync(_serve.Samples("controls", 1500));

        (await Json("batch", "pause", batchId.ToString(), "--reason", "maintenance")).GetProperty("status").GetString().ShouldBe("paused");
        (await Json("batch", "resume", batchId.ToString())).GetProperty("status").GetString().ShouldBe("running");
        var refused = await _serve.CofiAsync("batch", "cancel", batchId.ToString());
        refused.ExitCode.ShouldBe(2, "no terminal to ask on and no --yes");
        refused.Stderr.ShouldContain($"batch {batchId} 'controls' (running) ends as cancelled");
        var retried = await Json("batch", "retry-failed", batchId.ToString(), "--stage", "stt", "--yes");
        retried.GetProperty("wasFinished").GetBoolean().ShouldBeFalse();
        var cancelled = await Json("batch", "cancel", batchId.ToString(), "--yes", "--reason", "wrong input");
        cancelled.GetProperty("status").GetString().ShouldBe("cancelled");
        _serve.Process.Stdout.ShouldContain($"operator: batch {batchId} paused (reason: maintenance)");
        _serve.Process.Stdout.ShouldContain($"operator: batch {batchId} resumed (no reason given)");
        _serve.Process.Stdout.ShouldContain($"operator: batch {batchId} cancelled (reason: wrong input)");
        var again = await _serve.CofiAsync("batch", "cancel", batchId.ToString(), "--yes");
        again.ExitCode.ShouldBe(4, "a cancelled batch cannot be cancelled again");
        again.Stderr.ShouldContain("cancelled already");
    }

    /// <summary>The verb's --json answer; Undefined when it printed nothing (a refusal, whose line is on stderr).</summary>
    private async Task<JsonElement> Json(params string[] args)
    {
        var result = await _serve.CofiAsync([.. args, "--json"]);
        if (result.Stdout.Trim().Length == 0 || result.ExitCode != 0) return default;
        return result.Json;
    }

    private async Task<IReadOnlyList<JsonElement>> Lines(params string[] args)
    {
        var result = await _serve.CofiAsync([.. args, "--json"]);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result.JsonLines;
    }
}
