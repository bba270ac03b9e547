using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cofi.Actors.Tests.Support;

namespace Cofi.Host.Tests.Support;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c>, installed by scripts/prometheus-install) on a free loopback
/// port, with a config and a TSDB of its own in a temporary folder, scraping the given targets every second.
/// Disposing it kills the process and deletes the folder. A machine without prometheus fails the test, never skips it.
/// </summary>
/// <example>
/// <code>
/// await using var prometheus = await PrometheusServer.StartAsync(new PrometheusServer.ScrapeJob("lighthouse", ["127.0.0.1:9110"]));
/// await prometheus.UntilAsync("up{job=\"lighthouse\"}", samples => samples.Any(s => s.Value == 1));
/// </code>
/// </example>
public sealed class PrometheusServer : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    /// <summary>One sample of an instant vector: its labels (<c>__name__</c> included when the query keeps it) and value.</summary>
    public sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public override string ToString() =>
            $"{{{string.Join(", ", Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} {Value.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>A scrape job: prometheus scrapes /metrics on each target (<c>host:port</c>) every second, as job <paramref name="Name"/>.</summary>
    public sealed record ScrapeJob(string Name, IReadOnlyList<string> Targets);

    private PrometheusServer(TempDirectory dir, Process process, Uri address)
    {
        _dir = dir;
        _process = process;
        Address = address;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    /// <summary>What prometheus logged (it logs to stderr).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<PrometheusServer> StartAsync(params ScrapeJob[] jobs)
    {
        var binary = FindOnPath("prometheus")
            ?? throw new InvalidOperationException("prometheus is not installed (not on PATH): run scripts/prometheus-install");
        var dir = new TempDirectory("cofi-prometheus");
        File.WriteAllText(dir.File("prometheus.yml"), Config(jobs));
        var port = FreePort.Next();
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add($"--config.file={dir.File("prometheus.yml")}");
        info.ArgumentList.Add($"--storage.tsdb.path={dir.File("data")}");
        info.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        var server = new PrometheusServer(dir, Process.Start(info)!, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>An instant query (<c>/api/v1/query</c>); a scalar result comes back as one sample without labels.</summary>
    public async Task<IReadOnlyList<Sample>> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (body.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"{promql}: {body}");
        var data = body.GetProperty("data");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" => data.GetProperty("result").EnumerateArray()
                .Select(s => new Sample(
                    s.GetProperty("metric").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!),
                    ValueOf(s.GetProperty("value"))))
                .ToList(),
            "scalar" => [new Sample(new Dictionary<string, string>(), ValueOf(data.GetProperty("result")))],
            var other => throw new InvalidOperationException($"{promql}: a {other}, not an instant vector"),
        };
    }

    /// <summary>
    /// Queries until the result holds and returns it; running out of time fails with the last result and the state
    /// of every scrape target (its health and last error).
    /// </summary>
    public async Task<IReadOnlyList<Sample>> UntilAsync(string promql, Func<IReadOnlyList<Sample>, bool> holds, TimeSpan? timeout = null)
    {
        try
        {
            return await Poll.UntilAsync(() => QueryAsync(promql), holds, promql, timeout ?? Patience,
                samples => samples.Count == 0 ? "no samples" : string.Join("; ", samples));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nscrape targets: {await TargetsAsync()}", e);
        }
    }

    /// <summary>The active scrape targets as prometheus reports them: job, URL, health and last error.</summary>
    public async Task<string> TargetsAsync()
    {
        var body = await _http.GetFromJsonAsync<JsonElement>("/api/v1/targets?state=active");
        var targets = body.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Select(t =>
            $"{t.GetProperty("labels").GetProperty("job").GetString()} {t.GetProperty("scrapeUrl").GetString()} " +
            $"{t.GetProperty("health").GetString()} {t.GetProperty("lastError").GetString()}".TrimEnd()).ToList();
        // Prometheus applies discovered targets about 5 s after it starts.
        return targets.Count == 0 ? "none active yet" : string.Join("; ", targets);
    }

    private static string Config(IEnumerable<ScrapeJob> jobs)
    {
        var config = new StringBuilder("""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:

            """);
        foreach (var (job, targets) in jobs)
        {
            config.AppendLine($"  - job_name: '{job}'");
            config.AppendLine("    static_configs:");
            config.AppendLine($"      - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]");
        }
        return config.ToString();
    }

    private async Task WaitUntilReadyAsync()
    {
        await Poll.UntilAsync(async () =>
            {
                if (_process.HasExited) throw new InvalidOperationException($"prometheus exited ({_process.ExitCode}) before it was ready:\n{Output}");
                try
                {
                    using var response = await _http.GetAsync("/-/ready");
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            ready => ready, $"prometheus at {Address} ready", Patience, _ => $"not ready; its output:\n{Output}");
    }

    /// <summary>A [time, "value"] pair; prometheus writes infinities as +Inf and -Inf.</summary>
    private static double ValueOf(JsonElement pair) => pair[1].GetString() switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var value => double.Parse(value!, CultureInfo.InvariantCulture),
    };

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _http.Dispose();
        _dir.Dispose();
    }
}
