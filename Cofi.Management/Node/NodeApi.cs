using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Management;

/// <summary>The node you are connected to: its health with each readiness check, and a summary of its own metrics.</summary>
public static class NodeApi
{
    /// <param name="Problem">null when the check passed.</param>
    public sealed record Check(string Name, bool Passed, string? Problem);

    public sealed record Health(string Status, bool Ready, IReadOnlyList<Check> Checks);

    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/node").WithTags("node").RequireRole(Role.Viewer);
        group.MapGet("/health", async (IEnumerable<IReadinessCheck> checks, CancellationToken aborted) =>
        {
            var outcomes = await ReadinessProbe.RunAsync(checks, aborted);
            return TypedResults.Ok(new Health("alive", outcomes.All(o => o.Problem is null),
                outcomes.Select(o => new Check(o.Name, o.Problem is null, o.Problem)).ToList()));
        }).WithName("NodeHealth");
        group.MapGet("/metrics", (MetricsSummary summary) => TypedResults.Ok(summary.Rows())).WithName("NodeMetrics");
        return routes;
    }
}
