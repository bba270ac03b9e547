using System.Net;
using System.Text.RegularExpressions;

namespace Cofi.Host.Tests.Support;

/// <summary>A coordinator started with <c>serve</c>: its process, the web address it printed, and an HTTP client on it.</summary>
public sealed class ServedCoordinator : IDisposable
{
    private ServedCoordinator(string name, CofiProcess process, Uri address)
    {
        Name = name;
        Process = process;
        Address = address;
        // Longer than any answer the API should take, so that a request left hanging is recorded as one.
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(100) };
    }

    public string Name { get; }

    public CofiProcess Process { get; }

    /// <summary>The dashboard, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    public HttpClient Http { get; }

    /// <summary>Starts it on a port of its choosing and waits until it is Up in the cluster and says where it serves.</summary>
    /// <param name="config">a HOCON file of this coordinator's (<c>--config</c>).</param>
    public static async Task<ServedCoordinator> StartAsync(ClusterRig rig, string name, int latencyMs, string? config = null)
    {
        var process = rig.StartServingCoordinator(name, latencyMs, config);
        var dashboard = new Regex($@"^node {Regex.Escape(name)}: dashboard (http://\S+/) ", RegexOptions.Multiline);
        await ClusterRig.Until(() => process.Stdout.Contains($"node {name}: up at") && dashboard.IsMatch(process.Stdout), $"{name} up and serving", process);
        return new ServedCoordinator(name, process, new Uri(dashboard.Match(process.Stdout).Groups[1].Value));
    }

    /// <summary>Until /ready answers 200: the BatchManager singleton answers through this coordinator.</summary>
    public Task ReadyAsync() => Poll.UntilAsync(async () =>
    {
        try
        {
            using var response = await Http.GetAsync("ready");
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return default(HttpStatusCode);
        }
    }, status => status == HttpStatusCode.OK, $"{Name} ready", ClusterRig.Patience);

    public void Dispose() => Http.Dispose();
}
