using Cofi.Actors.Configuration;
using Cofi.Management;

namespace Cofi.Host.Web.Readiness;

/// <summary>
/// A GPU node's own model services answer <c>cofi.gpu.health-path</c> with 2xx, each at its stage's port on
/// <c>cofi.gpu.local-host</c>. Without a health path (or without HTTP stages) there is nothing to ask.
/// </summary>
public sealed class ModelServicesCheck(CofiSettings settings) : IReadinessCheck, IDisposable
{
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(3) };

    public string Name => "model-services";

    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        if (settings.Gpu.HealthPath is not { } path) return null;
        var services = settings.Pipeline.GpuStages.Where(s => s.Http is not null)
            .Select(s => new Uri($"{s.Http!.Scheme}://{settings.Gpu.LocalHost}:{s.Http.Port}{path}"))
            .Distinct();
        var problems = new List<string>();
        foreach (var service in services)
        {
            try
            {
                using var response = await _client.GetAsync(service, cancellationToken);
                if (!response.IsSuccessStatusCode) problems.Add($"{service} answered {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                problems.Add($"{service} does not answer ({e.Message})");
            }
        }
        return problems.Count == 0 ? null : string.Join(", ", problems);
    }

    public void Dispose() => _client.Dispose();
}
