using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Actors.Configuration;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Api;

/// <summary>The web server of a coordinator that runs in cluster mode (a cluster of one node with both roles, on port 0).</summary>
public sealed class ClusterModeSpecs
{
    private static NodeSettings Node => new("cofi", "127.0.0.1", 0, [], new HashSet<string> { NodeSettings.Coordinator, NodeSettings.Gpu }, "node-a");

    [Fact]
    public async Task Should_list_the_cluster_members_and_the_machines_of_the_gpu_nodes()
    {
        await using var web = await CofiWeb.StartAsync(cluster: Node, hocon: "cofi.simulated.gpu-machines = 2");
        await using var sse = await SseClient.ConnectAsync(web.Viewer, "/api/stream");
        await sse.NextAsync();

        var batchId = await web.SubmitAsync(web.Samples("clustered", 20));
        var end = await sse.SkipUntilAsync(f => f.Type == "batch" && f.Batches.Any(b => b.GetProperty("batchId").GetInt64() == batchId && b.GetProperty("status").GetString() == "completed"),
            TimeSpan.FromMinutes(2));
        var members = (await web.Viewer.GetFromJsonAsync<JsonElement>("/api/cluster/members")).EnumerateArray().ToList();
        var machines = (await web.Viewer.GetFromJsonAsync<JsonElement>("/api/machines")).EnumerateArray().ToList();

        end.Type.ShouldBe("batch");
        var member = members.Single();
        member.GetProperty("address").GetString().ShouldStartWith("akka.tcp://cofi@127.0.0.1:");
        member.GetProperty("status").GetString().ShouldBe("up");
        member.GetProperty("self").GetBoolean().ShouldBeTrue();
        member.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["coordinator", "gpu"]);
        machines.Select(m => m.GetProperty("name").GetString()).ShouldBe(["node-a-gpu-1", "node-a-gpu-2"], "the GPU node's machines, as its stages reported them");
        machines.Sum(m => m.GetProperty("filesDone").GetInt64()).ShouldBeGreaterThanOrEqualTo(20 * 3);
    }
}
