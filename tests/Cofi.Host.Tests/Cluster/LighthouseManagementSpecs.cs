using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Cluster;

/// <summary>The Lighthouse serves /health, /ready and /metrics on its management port, and a real Prometheus scrapes it.</summary>
public sealed class LighthouseManagementSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly Regex ManagementLine = new(@"lighthouse: management at (http://\S+)");
    private static readonly Regex LighthouseUp =
        new("""^cofi_cluster_members\{(?=[^}]*role="lighthouse")(?=[^}]*status="up")[^}]*\} 1( \d+)?$""", RegexOptions.Multiline);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string Body)
    {
        public override string ToString() => $"{(int)Status} {ContentType}\n{Body}";
    }

    [Fact]
    public async Task Should_serve_health_readiness_and_metrics_on_the_management_port()
    {
        var port = FreePort.Next();
        using var lighthouse = StartLighthouse(new() { ["COFI_MANAGEMENT_PORT"] = port.ToString() });
        var management = await ManagementAddressAsync(lighthouse);
        management.ShouldBe(new Uri($"http://127.0.0.1:{port}"));

        var health = await GetAsync(management, "/health");
        health.Status.ShouldBe(HttpStatusCode.OK, health.ToString());
        JsonDocument.Parse(health.Body).RootElement.GetProperty("status").GetString().ShouldBe("alive");

        var ready = await Poll.UntilAsync(() => GetAsync(management, "/ready"), a => a.Status == HttpStatusCode.OK, "/ready answering 200", Patience);
        var readiness = JsonDocument.Parse(ready.Body).RootElement;
        readiness.GetProperty("status").GetString().ShouldBe("ready");
        readiness.GetProperty("checks").EnumerateArray().Select(c => c.GetString()).ShouldContain("cluster-joined");

        var metrics = await Poll.UntilAsync(() => GetAsync(management, "/metrics"), a => LighthouseUp.IsMatch(a.Body),
            "/metrics counting the lighthouse as up", Patience);
        metrics.Body.ShouldMatch(@"(?m)^dotnet_gc_collections_total\{", "the .NET runtime meter");
        metrics.Body.ShouldMatch(@"(?m)^dotnet_process_memory_working_set_bytes\{", "the .NET runtime meter");
    }

    [Fact]
    public async Task Should_not_be_ready_while_it_has_not_joined_a_cluster()
    {
        // Its own address second among the seeds: only the first seed forms a cluster by itself, and that one never answers.
        var port = FreePort.Next();
        using var lighthouse = StartLighthouse(new()
        {
            ["CLUSTER_PORT"] = port.ToString(),
            ["CLUSTER_SEEDS"] = $"akka.tcp://cofi@127.0.0.1:{FreePort.Next()},akka.tcp://cofi@127.0.0.1:{port}",
        });
        var management = await ManagementAddressAsync(lighthouse);

        (await GetAsync(management, "/health")).Status.ShouldBe(HttpStatusCode.OK);
        var ready = await GetAsync(management, "/ready");

        ready.Status.ShouldBe(HttpStatusCode.ServiceUnavailable, ready.ToString());
        ready.ContentType.ShouldBe("application/problem+json");
        var problem = JsonDocument.Parse(ready.Body).RootElement;
        problem.GetProperty("title").GetString().ShouldBe("not ready");
        problem.GetProperty("detail").GetString().ShouldBe("cluster-joined: this node has not joined a cluster");
        lighthouse.Stdout.ShouldNotContain("lighthouse: up at");
    }

    [Theory]
    [InlineData("COFI_MANAGEMENT_PORT", "forty")]
    [InlineData("COFI_MANAGEMENT_BIND", "not-an-address")]
    public async Task Should_refuse_a_bad_management_variable_naming_it(string variable, string value)
    {
        using var lighthouse = StartLighthouse(new() { [variable] = value });

        (await lighthouse.WaitForExitAsync(Patience)).ShouldBe(3);
        lighthouse.Stderr.ShouldContain($"lighthouse: invalid configuration at '{variable}': '{value}'");
    }

    [Fact]
    public async Task Should_stop_with_exit_code_1_when_it_cannot_listen_on_the_management_port()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var lighthouse = StartLighthouse(new() { ["COFI_MANAGEMENT_PORT"] = port.ToString() });

        (await lighthouse.WaitForExitAsync(Patience)).ShouldBe(1);
        lighthouse.Stderr.ShouldContain($"lighthouse: cannot serve management at 127.0.0.1:{port}");
    }

    [Fact]
    public async Task Should_be_scraped_by_a_real_Prometheus()
    {
        using var lighthouse = StartLighthouse(new() { ["COFI_MANAGEMENT_PORT"] = "0" });
        var management = await ManagementAddressAsync(lighthouse);
        management.Port.ShouldNotBe(0, "the line names the port Kestrel chose");

        await using var prometheus = await PrometheusServer.StartAsync(new PrometheusServer.ScrapeJob("lighthouse", [management.Authority]));

        await prometheus.UntilAsync("""up{job="lighthouse"}""", samples => samples.Any(s => s.Value == 1));
        var members = await prometheus.UntilAsync("sum(cofi_cluster_members)", samples => samples.Any(s => s.Value == 1));
        members.ShouldHaveSingleItem().Value.ShouldBe(1);
    }

    private static CofiProcess StartLighthouse(Dictionary<string, string> environment)
    {
        environment.TryAdd("ACTORSYSTEM", "cofi");
        environment.TryAdd("CLUSTER_PORT", FreePort.Next().ToString());
        return CofiProcess.StartDll(CofiProcess.LighthouseDll, environment);
    }

    /// <summary>The address the lighthouse prints once Kestrel listens.</summary>
    private static async Task<Uri> ManagementAddressAsync(CofiProcess lighthouse)
    {
        await ClusterRig.Until(() => ManagementLine.IsMatch(lighthouse.Stdout) || lighthouse.HasExited, "lighthouse: management at", lighthouse);
        var line = ManagementLine.Match(lighthouse.Stdout);
        line.Success.ShouldBeTrue($"the lighthouse exited first:\n{lighthouse.Stdout}{lighthouse.Stderr}");
        return new Uri(line.Groups[1].Value);
    }

    private async Task<Answer> GetAsync(Uri management, string path)
    {
        using var response = await _http.GetAsync(new Uri(management, path));
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _http.Dispose();
}
