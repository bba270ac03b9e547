using System.Diagnostics;
using Cofi.Host.Web;

namespace Cofi.Host.Tests.Support;

/// <summary>
/// Sends a GET every interval whether or not the earlier ones have answered, as the dashboards and scripts of several
/// operators would, and records each request: when it was sent, how long it took and how it ended.
/// </summary>
public sealed class ApiPoller
{
    /// <param name="Status">the HTTP status; 0 when no answer came (<paramref name="Failure"/> says why).</param>
    /// <param name="AnsweredBy">the <see cref="BatchReads.AnsweredByHeader"/> header: set when the answer came from live progress.</param>
    public sealed record Request(DateTimeOffset SentAt, TimeSpan Latency, int Status, string? Failure, string Body, string? AnsweredBy);

    private readonly HttpClient _http;
    private readonly string _path;
    private readonly List<Task<Request>> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ApiPoller(HttpClient http, string path, TimeSpan interval)
    {
        _http = http;
        _path = path;
        _loop = LoopAsync(interval);
    }

    public static ApiPoller Start(HttpClient http, string path, TimeSpan interval) => new(http, path, interval);

    /// <summary>Sends no more requests and waits for the answers of those sent.</summary>
    public async Task<IReadOnlyList<Request>> StopAsync()
    {
        _stop.Cancel();
        await _loop;
        return await Task.WhenAll(_requests);
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do _requests.Add(SendAsync(_http, HttpMethod.Get, _path));
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One request, recorded the same way.</summary>
    public static async Task<Request> SendAsync(HttpClient http, HttpMethod method, string path)
    {
        var sentAt = DateTimeOffset.UtcNow;
        var elapsed = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(method, path);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var answeredBy = response.Headers.TryGetValues(BatchReads.AnsweredByHeader, out var values) ? values.Single() : null;
            return new Request(sentAt, elapsed.Elapsed, (int)response.StatusCode, null, body, answeredBy);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Request(sentAt, elapsed.Elapsed, 0, e.Message, "", null);
        }
    }

    /// <summary>The nearest-rank percentile (0.5 the median, 1 the maximum) of <paramref name="values"/>.</summary>
    public static TimeSpan Percentile(IEnumerable<TimeSpan> values, double p)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(values));
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
