using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Service;

/// <summary><c>serve</c> without seeds: the single-node service an operator runs on a laptop, as a real process.</summary>
public sealed class ServeSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly TempDirectory _dir = new("cofi-serve");

    [Fact]
    public async Task Should_run_a_batch_submitted_over_its_API_and_serve_health_readiness_and_metrics()
    {
        var input = Path.Combine(_dir.Path, "calls");
        SampleBatch.Generate(input, 40, 0);
        using var serve = CofiProcess.StartDll(CofiProcess.HostDll, new Dictionary<string, string> { ["COFI_INPUT_ROOTS"] = _dir.Path },
            "serve", "--db", _dir.File("cofi.db"), "--latency", "0");
        using var client = new HttpClient { BaseAddress = new Uri(await serve.DashboardAddressAsync(Patience)) };

        await Poll.UntilAsync(() => client.GetAsync("/ready"), r => r.StatusCode == HttpStatusCode.OK, "ready", Patience);
        (await client.GetStringAsync("/health")).ShouldContain("alive");
        var submitted = await client.PostAsJsonAsync("/api/batches", new { input });
        submitted.StatusCode.ShouldBe(HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
        await Poll.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/batches"))[0].GetProperty("status").GetString(),
            status => status == "completed", "batch 1 completed", Patience);

        var metrics = await client.GetStringAsync("/metrics");
        var settled = new Regex("""^cofi_file_stages_settled_total\{(?=[^}]*batch="1")(?=[^}]*stage="metadata")(?=[^}]*outcome="done")[^}]*\} (\d+)""", RegexOptions.Multiline);
        settled.Match(metrics).Groups[1].Value.ShouldBe("40", metrics);
        metrics.ShouldContain("dotnet_gc_collections_total");
        metrics.ShouldContain("http_server_request_duration_seconds");
        serve.Stdout.ShouldContain("node ");
        serve.Stdout.ShouldContain("running batch 1");
    }

    [Fact]
    public async Task Should_write_one_JSON_object_a_line_with_log_format_json()
    {
        using var serve = CofiProcess.StartDll(CofiProcess.HostDll, new Dictionary<string, string>(),
            "serve", "--db", _dir.File("cofi.db"), "--log-format", "json");
        await serve.DashboardAddressAsync(Patience);
        serve.Terminate();
        await serve.WaitForExitAsync(Patience);

        var lines = serve.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Length.ShouldBeGreaterThanOrEqualTo(3, serve.Stdout);
        foreach (var line in lines)
        {
            using var entry = JsonDocument.Parse(line);
            entry.RootElement.GetProperty("Timestamp").GetString().ShouldNotBeNullOrEmpty();
            entry.RootElement.GetProperty("LogLevel").GetString().ShouldNotBeNullOrEmpty();
            entry.RootElement.GetProperty("Message").GetString().ShouldNotBeNullOrEmpty();
        }
        lines.ShouldContain(l => l.Contains("\"Category\":\"Cofi\"") && l.Contains("dashboard http://"));
    }

    [Theory]
    [InlineData("--log-format", "xml", "--log-format")]
    [InlineData("--bind", "not-an-address", "--bind")]
    public async Task Should_stop_at_start_naming_the_option_of_a_bad_value(string option, string value, string named)
    {
        var (code, _, stderr) = await CofiProcess.RunAsync(Patience, "serve", "--db", _dir.File("cofi.db"), option, value);

        code.ShouldBe(3, stderr);
        stderr.ShouldContain(named);
    }

    [Theory]
    [InlineData("COFI_MANAGEMENT_PORT", "forty")]
    [InlineData("COFI_MANAGEMENT_BIND", "nowhere")]
    [InlineData("COFI_INPUT_ROOTS", "relative/path")]
    [InlineData("COFI_RATE_LIMIT", "fast")]
    [InlineData("COFI_MAX_BODY_BYTES", "-1")]
    [InlineData("COFI_METRICS_OPEN", "yes")]
    [InlineData("COFI_TOKENS_FILE", "/nonexistent/tokens")]
    [InlineData("COFI_TLS_CERT", "/nonexistent/cert.pem")]
    public async Task Should_stop_a_node_at_start_naming_a_bad_variable(string variable, string value)
    {
        using var node = CofiProcess.StartDll(CofiProcess.HostDll, new Dictionary<string, string> { [variable] = value, ["COFI_ROLES"] = "gpu" }, "node");

        (await node.WaitForExitAsync(Patience)).ShouldBe(3, node.Stderr);
        node.Stderr.ShouldContain(variable);
    }

    public void Dispose() => _dir.Dispose();
}
