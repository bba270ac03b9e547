using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Cofi.Actors.Hosting;
using Cofi.Actors.Persistence;
using Cofi.Host.Runtime;
using Cofi.Host.Web;
using Cofi.Management.Security;

namespace Cofi.Host.Benchmarks;

/// <summary>
/// Requests a second the API answers, with authentication off (no tokens) and on (a tokens file of many entries, a
/// bearer token on every request, authorization by role): the cost of the checks. Rate limits are off for both.
/// </summary>
public static class ApiBenchmark
{
    public sealed record Result(string Mode, int Requests, TimeSpan Elapsed, int Failed)
    {
        public double PerSecond => Requests / Elapsed.TotalSeconds;
    }

    /// <param name="tokens">tokens configured when authentication is on: the one sent is the last compared.</param>
    public static async Task<Result> RunAsync(string workDir, bool authenticated, string path, int requests, int clients, int tokens, CancellationToken cancel)
    {
        var database = Path.Combine(workDir, $"bench-api-{(authenticated ? "on" : "off")}-{Guid.NewGuid():N}.db");
        var (config, settings) = new RuntimeOptions(database, null, null, 0, null).LoadConfiguration();
        var token = TokenEntry.NewToken();
        var entries = Enumerable.Range(0, tokens - 1).Select(i => TokenEntry.For($"t{i}", Role.Viewer, TokenEntry.NewToken()))
            .Append(TokenEntry.For("bench", Role.Viewer, token)).ToList();
        var access = (authenticated ? new AccessSettings(entries) : AccessSettings.Open) with { Limits = ApiLimits.Default with { RequestsPerSecond = 0 } };
        var web = new WebSettings(IPAddress.Loopback, 0, [workDir], access);
        await using var runtime = await CofiRuntime.StartAsync(NodePlan.Embedded(web: true), config, settings, DatabaseSettings.Sqlite(database), web);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = new Uri(runtime.WebAddress!) };
        if (authenticated) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // Warm-up: JIT, connection pool, the first of each endpoint's work.
        await SendAsync(http, path, Math.Min(requests / 10 + 1, 500), clients, cancel);
        var clock = Stopwatch.StartNew();
        var failed = await SendAsync(http, path, requests, clients, cancel);
        return new Result(authenticated ? "on" : "off", requests, clock.Elapsed, failed);
    }

    private static async Task<int> SendAsync(HttpClient http, string path, int requests, int clients, CancellationToken cancel)
    {
        var next = 0;
        var failed = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                using var response = await http.GetAsync(path, cancel);
                await response.Content.LoadIntoBufferAsync(cancel);
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failed);
            }
        }));
        return failed;
    }
}
