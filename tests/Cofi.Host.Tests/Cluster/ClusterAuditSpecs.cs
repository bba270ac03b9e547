using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;
using Cofi.Management.Security;

namespace Cofi.Host.Tests.Cluster;

/// <summary>
/// The management API of a GPU node and of the Lighthouse is audited like the coordinator's: each mutation asked of
/// them, refused ones included, becomes a row of the coordinator's audit_log, naming the node it was asked of.
/// </summary>
public sealed class ClusterAuditSpecs : IDisposable
{
    private static readonly Regex NodeManagement = new(@"node n1: health, readiness and metrics at (http://\S+)/health");
    private static readonly Regex LighthouseManagement = new(@"lighthouse: management at (http://\S+)");
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_record_mutations_asked_of_a_gpu_node_and_the_lighthouse_in_the_coordinators_audit_log()
    {
        var tokens = _dir.File("tokens");
        var viewer = TokenFile.Add(tokens, "wall", Role.Viewer);
        var admin = TokenFile.Add(tokens, "root", Role.Admin);
        await using var rig = new ClusterRig(_dir, 10, environment: new Dictionary<string, string> { [TokenFile.Variable] = tokens });
        await rig.LighthouseUpAsync();
        using var coordinator = await ServedCoordinator.StartAsync(rig, "c1", latencyMs: 10);
        await coordinator.ReadyAsync();
        var node = await rig.StartGpuNodeUpAsync("n1", latencyMs: 10);
        await ClusterRig.Until(() => NodeManagement.IsMatch(node.Stdout), "n1's management address", node);
        var lighthouse = LighthouseManagement.Match(rig.Lighthouse.Stdout).Groups[1].Value;

        // A viewer may not make a node leave or down a member: both refused, both recorded.
        (await PostAsync(NodeManagement.Match(node.Stdout).Groups[1].Value, "/api/cluster/leave", viewer)).ShouldBe(HttpStatusCode.Forbidden);
        (await PostAsync(lighthouse, "/api/cluster/down", viewer)).ShouldBe(HttpStatusCode.Forbidden);

        coordinator.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var rows = await Poll.UntilAsync(async () => await coordinator.Http.GetFromJsonAsync<JsonElement>("api/audit?token=wall"),
            page => Rows(page).Count(r => r.GetProperty("outcome").GetInt32() == 403) >= 2, "both refusals in the coordinator's audit_log",
            ClusterRig.Patience);
        var refused = Rows(rows).Where(r => r.GetProperty("outcome").GetInt32() == 403).ToList();
        refused.ShouldContain(r => r.GetProperty("action").GetString() == "ClusterLeave" && r.GetProperty("target").GetString()!.Contains("/api/cluster/leave"));
        refused.ShouldContain(r => r.GetProperty("action").GetString() == "ClusterDown"
                                   && r.GetProperty("target").GetString()!.StartsWith($"127.0.0.1:{rig.LighthousePort} "));
        refused.ShouldAllBe(r => r.GetProperty("role").GetString() == "viewer");
    }

    private static IEnumerable<JsonElement> Rows(JsonElement page) => page.GetProperty("items").EnumerateArray();

    private static async Task<HttpStatusCode> PostAsync(string address, string path, string token)
    {
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.PostAsync(path, JsonContent.Create(new { address = "akka.tcp://cofi@127.0.0.1:1" }))).StatusCode;
    }

    public void Dispose() => _dir.Dispose();
}
