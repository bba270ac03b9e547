using Cofi.Cli.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Cli.Tests.SingleNode;

/// <summary><c>cofi batch stragglers ID</c>: the calls of a running batch running longest, as a table and as JSON, within --limit.</summary>
public sealed class StragglersVerbSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Should_show_the_longest_running_calls_as_a_table_and_as_json_within_the_limit()
    {
        // Every model call takes 2 s: the batch's calls are seen running.
        await using var serve = await ServeNode.StartAsync(latency: "2s");
        var batchId = (await serve.SubmitAsync(serve.Samples("slow", 4))).ToString();

        var json = await Poll.UntilAsync(() => serve.CofiAsync("batch", "stragglers", batchId, "--json"),
            r => r.ExitCode == 0 && r.Json.GetProperty("calls").GetArrayLength() >= 2, "two calls running", Patience, r => r.ToString());
        json.Stdout.Trim().Split('\n').Length.ShouldBe(1, "one object a line");
        var calls = json.Json.GetProperty("calls").EnumerateArray().ToList();
        calls.ShouldAllBe(c => c.GetProperty("file").GetString()!.StartsWith("call-") && c.GetProperty("speculation").GetString() == "none");
        calls.Select(c => c.GetProperty("runningForMs").GetInt64()).ShouldBeInOrder(SortDirection.Descending);
        json.Json.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("stage").GetString()).ShouldBe(["denoise", "ivr", "lid", "stt"], ignoreOrder: true);

        var limited = await Poll.UntilAsync(() => serve.CofiAsync("batch", "stragglers", batchId, "--limit", "1", "--json"),
            r => r.ExitCode == 0 && r.Json.GetProperty("calls").GetArrayLength() > 0, "a call running", Patience, r => r.ToString());
        limited.Json.GetProperty("calls").GetArrayLength().ShouldBe(1);

        var table = await Poll.UntilAsync(() => serve.CofiAsync("batch", "stragglers", batchId),
            r => r.ExitCode == 0 && r.Stdout.Contains("call-"), "a call running, in the table", Patience, r => r.ToString());
        var lines = table.Stdout.Split('\n');
        lines[0].ShouldContain("stage");
        lines[0].ShouldContain("running for");
        lines[0].ShouldContain("speculation");
        lines[1].ShouldMatch(@"^(denoise|ivr|lid|stt)\s+call-\d+\.\w+\s+gpu-\d\s+1\s+\d+\.\d s\s+none");
        table.Stdout.ShouldContain("backups");

        var bad = await serve.CofiAsync("batch", "stragglers", batchId, "--limit", "0");
        bad.ExitCode.ShouldBe(2, bad.ToString());
        bad.Stderr.ShouldContain("must be between 1 and 200");
        var unknown = await serve.CofiAsync("batch", "stragglers", "999999");
        unknown.ExitCode.ShouldBe(3, unknown.ToString());
    }
}
