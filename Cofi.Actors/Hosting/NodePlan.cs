using Cofi.Actors.Configuration;

namespace Cofi.Actors.Hosting;

/// <summary>
/// What one Cofi process runs, decided once from its command, roles and seeds. The process and the tests compose
/// every ActorSystem from a plan through <see cref="CofiHosting.AddCofi"/>, so what a test starts is what runs.
/// </summary>
public sealed record NodePlan
{
    /// <summary>null: the embedded process, outside any cluster, with its own simulated (or HTTP-only) GPU machines.</summary>
    public NodeSettings? Cluster { get; init; }

    /// <summary>Runs batches: the BatchManager here (embedded) or as the coordinators' cluster singleton, and the EventWriter.</summary>
    public bool RunsBatches { get; init; }

    /// <summary>With <see cref="RunsBatches"/>: the BatchManager starts no batch, queued or running; the process only maintains the database.</summary>
    public bool HoldsBatches { get; init; }

    /// <summary>Serves the dashboard, REST API and SSE streams (and so keeps a ProgressBroadcaster).</summary>
    public bool ServesWeb { get; init; }

    /// <summary>Serves /health, /ready and /metrics on a management port of its own (a node without the web server).</summary>
    public bool ServesManagement { get; init; }

    /// <summary>A coordinator keeps the journal and the read model; embedded, that is the process itself.</summary>
    public bool IsCoordinator => Cluster?.IsCoordinator ?? true;

    public bool OpensJournal => IsCoordinator;

    public bool HostsEventWriter => RunsBatches && IsCoordinator;

    public bool HostsBroadcaster => IsCoordinator && (RunsBatches || ServesWeb);

    /// <summary>A member with role gpu runs a GpuNode for its own machines.</summary>
    public bool HostsGpuNode => Cluster is { IsGpu: true };

    /// <summary>A member with no role (an operator's one-shot command) reaches the coordinator's BatchManager through a proxy.</summary>
    public bool ProxiesCoordinator => Cluster is { Roles.Count: 0 };

    /// <summary>The embedded process: every role in one, with the dashboard when <paramref name="web"/>.</summary>
    public static NodePlan Embedded(bool web) => new() { RunsBatches = true, ServesWeb = web };

    /// <summary>The embedded process with its batches held: the BatchManager and the read model, for maintenance on the database (<c>db prune</c>).</summary>
    public static NodePlan Maintenance() => new() { RunsBatches = true, HoldsBatches = true };

    /// <summary>Opens the journal to read it, and runs nothing (<c>status</c>).</summary>
    public static NodePlan Reader() => new();

    /// <summary>A cluster member: a coordinator runs batches (active or standby) and serves the web when asked; a GPU node its machines.</summary>
    public static NodePlan Member(NodeSettings cluster, bool web) =>
        new() { Cluster = cluster, RunsBatches = cluster.IsCoordinator, ServesWeb = web && cluster.IsCoordinator, ServesManagement = !(web && cluster.IsCoordinator) };

    /// <summary>A member with no role that only sends the coordinator commands.</summary>
    public static NodePlan Client(NodeSettings cluster) => new() { Cluster = cluster with { Roles = new HashSet<string>() } };
}
