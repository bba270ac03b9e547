using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Cofi.Management.Security;
using OpenTelemetry.Metrics;

namespace Cofi.Management;

/// <summary>
/// What every Cofi process serves for its operators: <c>GET /health</c> (the process answers), <c>GET /ready</c>
/// (every <see cref="IReadinessCheck"/> passes; this node is Up in the cluster is one) and <c>GET /metrics</c>
/// (Prometheus text format). The metrics include <c>cofi_cluster_members</c> (see <see cref="ClusterMembersGauge"/>),
/// the .NET runtime's (<c>dotnet_gc_collections_total</c>, <c>dotnet_process_memory_working_set_bytes</c>, …) and
/// ASP.NET Core's (<c>http_server_request_duration_seconds</c>, <c>kestrel_active_connections</c>, …).
/// </summary>
public static class ManagementHosting
{
    /// <summary>The meters every process exports besides its own: the cluster members gauge, the .NET runtime, ASP.NET Core hosting and Kestrel.</summary>
    public static readonly IReadOnlyList<string> BuiltInMeters =
        [ClusterMembersGauge.MeterName, "System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    public sealed record Liveness(string Status);

    /// <param name="Checks">The names of the checks that passed: all of them.</param>
    public sealed record Readiness(string Status, IReadOnlyList<string> Checks);

    /// <summary>
    /// OpenTelemetry metrics with the Prometheus exporter, for the given meters and <see cref="BuiltInMeters"/>, and
    /// the readiness check <see cref="ClusterJoinedCheck"/>. Register more <see cref="IReadinessCheck"/>s in DI.
    /// </summary>
    public static WebApplicationBuilder AddCofiManagement(this WebApplicationBuilder builder, params string[] meters)
    {
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<StartedActorSystem>();
        builder.Services.TryAddSingleton<ClusterMembersGauge>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadinessCheck, ClusterJoinedCheck>());
        builder.Services.TryAddSingleton(new MetricsSummary([.. meters, ClusterMembersGauge.MeterName, "System.Runtime"]));
        builder.AddOperatorCommands();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter([.. meters, .. BuiltInMeters])
            // Created with the meter provider, so the gauge exists from the first scrape on.
            .AddInstrumentation(services => services.GetRequiredService<ClusterMembersGauge>())
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>
    /// What every node offers the operators' client: the cluster, node and actor palettes, the member completion,
    /// who may call what (<see cref="AccessSettings"/>) and the log line each mutation leaves.
    /// </summary>
    private static void AddOperatorCommands(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(AccessSettings.FromEnvironment(Environment.GetEnvironmentVariable));
        builder.Services.AddCofiAccess();
        builder.Services.TryAddSingleton<OperatorLog>();
        builder.Services.AddSingleton(NodePalettes.Cluster);
        builder.Services.AddSingleton(NodePalettes.Node);
        builder.Services.AddSingleton(NodePalettes.Actor);
        builder.Services.AddSingleton<ICompletionSource, MemberCompletion>();
    }

    /// <summary>Kestrel listens on the management address (and nowhere else): for processes without a web port of their own.</summary>
    public static WebApplicationBuilder ListenManagement(this WebApplicationBuilder builder, ManagementSettings settings)
    {
        builder.WebHost.ListenWithTls(settings.Bind, settings.Port, settings.Certificate);
        return builder;
    }

    public static IEndpointRouteBuilder MapCofiManagement(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Ok(new Liveness("alive"))).WithTags("management").AllowAnonymous();
        routes.MapGet("/ready", ReadyAsync).WithTags("management").AllowAnonymous();
        var metrics = routes.MapPrometheusScrapingEndpoint();
        // Prometheus scrapes with a viewer token (bearer_token_file) unless the operators chose to leave it open.
        if (routes.ServiceProvider.GetRequiredService<AccessSettings>().MetricsOpen) metrics.AllowAnonymous();
        else metrics.RequireRole(Role.Viewer);
        routes.MapSessionApi();
        routes.MapCommandsApi();
        routes.MapClusterOpsApi();
        routes.MapNodeApi();
        routes.MapActorApi();
        return routes;
    }

    public static async Task<Results<Ok<Readiness>, ProblemHttpResult>> ReadyAsync(IEnumerable<IReadinessCheck> checks, CancellationToken aborted)
    {
        var outcomes = await ReadinessProbe.RunAsync(checks, aborted);
        var failing = outcomes.Where(o => o.Problem is not null).ToList();
        return failing.Count == 0
            ? TypedResults.Ok(new Readiness("ready", outcomes.Select(o => o.Name).ToList()))
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "not ready",
                detail: string.Join("; ", failing.Select(o => $"{o.Name}: {o.Problem}")));
    }
}
